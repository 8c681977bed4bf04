"""The staff console's users: a SQLite file of login names, roles and argon2 hashes, and what each role may do.

Three roles:

- **staff**: window staff (窗口工作人员). Tied to one window; act on that window and their own status.
- **manager**: the hall's manager (中心负责人). Everything in the hall, the accounts included.
- **supervisor**: the district's electronic supervision (电子监察). Read-only: sees the hall and its audit log.

What `may(user, action, window)` answers (a disabled user may nothing):

| action     | what it is                                   | staff               | manager  | supervisor |
|------------|----------------------------------------------|---------------------|----------|------------|
| `view`     | see the hall: queues, windows, staff, cases  | yes                 | yes      | yes        |
| `call`     | call / recall / no-show / transfer / done    | own window only     | any      | no         |
| `window`   | open or pause a window                       | own window only     | any      | no         |
| `status`   | set a staff member's on-duty status          | own window (and own | any      | no         |
|            |                                              | staff id) only      |          |            |
| `announce` | put up an announcement                       | submit: pending     | approved | no         |
| `approve`  | approve or refuse a pending announcement     | no                  | yes      | no         |
| `cases`    | open and advance cases, print their slips    | yes                 | yes      | no         |
| `personal` | an applicant's full name and phone           | own window's cases  | yes      | no         |
| `users`    | add, disable, remove accounts; passwords     | no                  | yes      | no         |
| `audit`    | read the audit log                           | no                  | yes      | yes        |

The service applies the same table to every command a person sends through the console, and to the
staff accounts of the roster (`content.accounts.acting`), so the console and the service agree.

`announce_as(user)` says whether an announcement a user puts up waits for approval (`pending`) or goes up
at once (`approved`). The windows named are not checked here: the caller checks them against the
centre's windows.

The file (`users.sqlite3`, beside the service's state file) is its own SQLite file in WAL mode, opened by
several processes at once: the running service reads it (and rehashes a password on login when the
hasher's parameters have changed), `hall user` writes it. Every operation opens its own connection, so a
`UserStore` may be shared between threads. The file is created readable by its owner only.
"""

from __future__ import annotations

import builtins
import logging
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal, cast, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from content.shared.catalog import N_, domain
from content.shared.files import private_database

log = logging.getLogger(__name__)
_ = domain("service").gettext

Role = Literal["staff", "manager", "supervisor"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)
Action = Literal["view", "call", "window", "status", "announce", "approve", "cases", "personal", "users", "audit"]
ACTIONS: Final[tuple[Action, ...]] = get_args(Action)
ROLE_NAMES: Final[dict[str, str]] = {
    "staff": N_("window staff"),
    "manager": N_("manager"),
    "supervisor": N_("supervisor"),
}
"""Each role as a sentence names it (catalog ids)."""

USERS_FILE: Final = "users.sqlite3"
"""The users file's name, beside the service's state file (`var/hall-state.sqlite3` → `var/users.sqlite3`)."""
NAME_RULE: Final = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}", re.ASCII)
ID_RULE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,63}", re.ASCII)
"""A window's or a staff member's id, as in the centre's files."""
MIN_PASSWORD: Final = 10
MAX_PASSWORD: Final = 256
BUSY_S: Final = 10.0
"""How long an operation waits for another process's write to finish."""
SCHEMA_VERSION: Final = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('staff', 'manager', 'supervisor')),
    "window"   TEXT NULL,
    staff_id   TEXT NULL,
    hash       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    CHECK ((role = 'staff') = ("window" IS NOT NULL))
);
"""
_COLUMNS = 'name, role, "window", staff_id, disabled, created_at, updated_at'


class UserError(Exception):
    """A refused account operation, in words for the person at the keyboard (never with a password in them)."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    window: str | None = None
    staff_id: str | None = None
    disabled: bool = False
    created: datetime | None = None
    updated: datetime | None = None
    """Changed by every change of the password or of `disabled`: a session begun before it is over."""


def _shown(text: str) -> str:
    """`text` for an error message: quoted, and cut if long (a name may come from anyone)."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def check_name(name: str) -> None:
    if not isinstance(name, str) or NAME_RULE.fullmatch(name) is None:
        raise UserError(
            _(
                "login name {name}: 1 to 32 characters of a-z, 0-9, '.', '_' and '-', "
                "starting with a letter or digit (e.g. wang.fang)"
            ).format(name=_shown(str(name)))
        )


def check_account(name: str, role: str, window: str | None = None, staff_id: str | None = None) -> None:
    """Refuse a bad name, role, window or staff id, or a window where none belongs (and none where one does)."""
    check_name(name)
    if role not in ROLES:
        roles = _(", ").join(_("{code} ({name})").format(code=r, name=_(ROLE_NAMES[r])) for r in ROLES)
        raise UserError(_("role {role} must be one of {roles}").format(role=_shown(str(role)), roles=roles))
    if role == "staff" and window is None:
        raise UserError(_("a staff account needs a window (--window): staff act only on their own window"))
    if role != "staff" and window is not None:
        raise UserError(
            _("a {role} account has no window: only staff accounts are tied to one").format(role=_(ROLE_NAMES[role]))
        )
    wrong = (
        N_("window {value}: up to 64 characters of a-z, 0-9 and '-', starting with a letter or digit, as in the "
           "centre's files"),
        N_("staff id {value}: up to 64 characters of a-z, 0-9 and '-', starting with a letter or digit, as in the "
           "centre's files"),
    )  # fmt: skip
    for words, value in zip(wrong, (window, staff_id), strict=True):
        if value is not None and (not isinstance(value, str) or ID_RULE.fullmatch(value) is None):
            raise UserError(_(words).format(value=_shown(str(value))))


def check_password(name: str, password: str) -> None:
    """The password policy: MIN_PASSWORD to MAX_PASSWORD characters, and not the login name."""
    if not isinstance(password, str):
        raise UserError(_("the password must be text"))
    if len(password) < MIN_PASSWORD:
        raise UserError(_("the password must be at least {count} characters long").format(count=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise UserError(_("the password must be at most {count} characters long").format(count=MAX_PASSWORD))
    if password.strip().casefold() == name.casefold():
        raise UserError(_("the password must not be the login name"))


def may(user: User, action: Action, window: str | None = None, *, staff: str | None = None) -> bool:
    """Whether `user` may do `action` (on `window`, and for `status` on staff member `staff`): the table above.

    Staff act on their own window only, so for `call`, `window`, `status` and `personal` a staff user needs
    `window` to be theirs (for `personal`, the window that received the case); for `status`, `staff` (when
    given) must be their own staff id.
    """
    if action not in _ALLOWED:
        raise ValueError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")  # catalog: internal
    if user.disabled or user.role not in _ALLOWED[action]:
        return False
    if user.role == "staff" and action in _OWN_WINDOW:
        if user.window is None or window != user.window:
            return False
        if action == "status" and staff is not None and staff != user.staff_id:
            return False
    return True


def announce_as(user: User) -> Literal["pending", "approved"] | None:
    """What an announcement `user` puts up becomes: waiting for a manager, up at once, or refused (None)."""
    if not may(user, "announce"):
        return None
    return "approved" if may(user, "approve") else "pending"


_ALLOWED: Final[dict[Action, frozenset[Role]]] = {
    "view": frozenset(ROLES),
    "call": frozenset({"staff", "manager"}),
    "window": frozenset({"staff", "manager"}),
    "status": frozenset({"staff", "manager"}),
    "announce": frozenset({"staff", "manager"}),
    "approve": frozenset({"manager"}),
    "cases": frozenset({"staff", "manager"}),
    "personal": frozenset({"staff", "manager"}),
    "users": frozenset({"manager"}),
    "audit": frozenset({"manager", "supervisor"}),
}
_OWN_WINDOW: Final[frozenset[Action]] = frozenset({"call", "window", "status", "personal"})


def users_path(state: Path | str) -> Path:
    """The users file beside the service's state file `state`."""
    return Path(state).with_name(USERS_FILE)


def _now() -> datetime:
    return datetime.now(UTC)


def _user(row: tuple[str, str, str | None, str | None, int, str, str]) -> User:
    name, role, window, staff_id, disabled, created, updated = row
    return User(
        name=name,
        role=cast(Role, role),
        window=window,
        staff_id=staff_id,
        disabled=bool(disabled),
        created=datetime.fromisoformat(created),
        updated=datetime.fromisoformat(updated),
    )


class UserStore:
    """The users file at `path`, made (empty, mode 0600) if missing.

    `hasher` hashes and checks the passwords (default: argon2-cffi's RFC 9106 profile); `now` is the clock
    of `created` and `updated`.
    """

    def __init__(
        self, path: Path | str, hasher: PasswordHasher | None = None, now: Callable[[], datetime] = _now
    ) -> None:
        self.path = Path(path)
        self._hasher = hasher or PasswordHasher()
        self._now = now
        self._dummy: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            private_database(self.path)  # the owner's only before SQLite opens it; never through a link
            with self._connect() as db:
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if tables - {"users"}:
                    raise UserError(
                        _("{file} is not a users file: it holds the tables {tables}").format(
                            file=self.path, tables=_(", ").join(sorted(tables))
                        )
                    )
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise UserError(
                        _("{file} was written by a newer version of hall (schema {version}): update hall").format(
                            file=self.path, version=version
                        )
                    )
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(_SCHEMA)
                if version < SCHEMA_VERSION:
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise UserError(_("{file} is not a users file: {why}").format(file=self.path, why=exc)) from None
        except OSError as exc:
            raise UserError(_("cannot open {file}: {why}").format(file=self.path, why=exc.strerror or exc)) from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_S, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = FULL")
            yield db
        finally:
            db.close()

    def _hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def add(self, name: str, role: Role, password: str, window: str | None = None, staff_id: str | None = None) -> User:
        """Add an account; refused when the name is taken or anything breaks the rules (UserError)."""
        check_account(name, role, window, staff_id)
        check_password(name, password)
        if self.get(name) is not None:  # before the slow hash; the primary key is what guarantees it
            raise UserError(_("user {name!r} already exists").format(name=name))
        digest = self._hash(password)
        stamp = self._now().isoformat()
        try:
            with self._connect() as db:
                db.execute(
                    f"INSERT INTO users ({_COLUMNS}, hash) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
                    (name, role, window, staff_id, stamp, stamp, digest),
                )
        except sqlite3.IntegrityError:
            raise UserError(_("user {name!r} already exists").format(name=name)) from None
        user = self.get(name)
        assert user is not None
        return user

    def _update(self, name: str, sql: str, *values: object) -> None:
        check_name(name)
        with self._connect() as db:
            changed = db.execute(
                f"UPDATE users SET {sql}, updated_at = ? WHERE name = ?", (*values, self._now().isoformat(), name)
            ).rowcount
        if not changed:
            raise UserError(_("no user {name!r}").format(name=name))

    def set_password(self, name: str, password: str) -> None:
        """A new password; end the user's sessions after it (`Sessions.end_all`)."""
        check_name(name)
        check_password(name, password)
        if self.get(name) is None:
            raise UserError(_("no user {name!r}").format(name=name))
        self._update(name, "hash = ?", self._hash(password))

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disable (or enable again) an account; a disabled one cannot log in. End its sessions after it."""
        self._update(name, "disabled = ?", int(disabled))

    def remove(self, name: str) -> None:
        check_name(name)
        with self._connect() as db:
            if not db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount:
                raise UserError(_("no user {name!r}").format(name=name))

    def get(self, name: str) -> User | None:
        if not isinstance(name, str) or NAME_RULE.fullmatch(name) is None:
            return None
        with self._connect() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone()
        return None if row is None else _user(row)

    def verify(self, name: str, password: str) -> User | None:
        """The user, when `password` is theirs and the account is enabled; None otherwise.

        About as slow whether or not the user exists (a made-up hash is checked instead), so that the time
        a login takes does not tell which names exist. Rehashes the password when the hasher's parameters
        have changed since it was hashed.
        """
        if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
            return None  # no account has such a password: nothing to learn from the time this takes
        row = None
        if isinstance(name, str) and NAME_RULE.fullmatch(name):
            with self._connect() as db:
                row = db.execute(f"SELECT {_COLUMNS}, hash FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            self._check(self._dummy_hash(), password)
            return None
        digest: str = row[-1]
        if not self._check(digest, password) or row[4]:
            return None
        if self._needs_rehash(digest):
            self._rehash(name, digest, password)
        return _user(row[:-1])

    def _check(self, digest: str, password: str) -> bool:
        try:
            return self._hasher.verify(digest, password)
        except VerificationError:  # the wrong password (VerifyMismatchError), or a hash that is not one
            return False
        except InvalidHashError:
            log.warning(_("a stored password hash is not an argon2 hash"))
            return False

    def _needs_rehash(self, digest: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(digest)
        except (InvalidHashError, ValueError):
            return False

    def _rehash(self, name: str, digest: str, password: str) -> None:
        """Store the password hashed with the hasher's parameters; not `updated` (no session ends for it)."""
        try:
            with self._connect() as db:
                db.execute(
                    "UPDATE users SET hash = ? WHERE name = ? AND hash = ?", (self._hash(password), name, digest)
                )
        except sqlite3.Error as exc:  # e.g. a read-only file: the login still succeeds
            log.warning(_("could not rehash the password of {name}: {why}").format(name=name, why=exc))

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hash(secrets.token_urlsafe(16))
        return self._dummy

    def list(self) -> builtins.list[User]:
        """Every account, by name."""
        with self._connect() as db:
            return [_user(row) for row in db.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name")]
