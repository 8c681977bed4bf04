"""`hall user …`: the accounts of the staff console, kept in the users file (no service or broker needed).

The file is `users.sqlite3` beside the service's state file (default `var/users.sqlite3`), or `$HALL_USERS`,
or `--users FILE`. Run this as the account the service runs as (`sudo -u hall hall user add …`): the file is
made readable by its owner only. The running service reads it at every login, and checks each console
request's session against it (`content.accounts.sessions.still_valid`): a changed password, a disabled or a
removed account ends that user's sessions.

Passwords are asked twice on the terminal, or read as one line from stdin with `--password-stdin`
(for scripts: `printf '%s\\n' "$PASSWORD" | hall user add …`); they are never printed, nor their hashes.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from content.shared.catalog import N_, domain
from hall.options import exit_codes
from hall.parts import require

if TYPE_CHECKING:
    from content.accounts.users import UserStore

_words = domain("hall")
_ = _words.gettext

HELP = N_("accounts of the staff console: add, list, passwd, disable, enable, remove")
USERS_ENV = "HALL_USERS"
DEFAULT_STATE = Path("var") / "hall-state.sqlite3"
"""`hall serve`'s default state file, beside which the users file lives."""
DEFAULT_USERS = DEFAULT_STATE.with_name("users.sqlite3")
"""`content.accounts.users.users_path(DEFAULT_STATE)`."""
ROLES: Final = ("staff", "manager", "supervisor")
"""`content.accounts.users.ROLES`, written out: that module hashes with argon2, which only the service's part
installs, and every `hall` builds this parser (a test keeps the two the same)."""
ROLE_NAMES: Final = {"staff": N_("window staff"), "manager": N_("manager"), "supervisor": N_("supervisor")}
"""Each role as a sentence names it (catalog ids)."""


def _path(args: argparse.Namespace) -> Path:
    from content.accounts.users import users_path

    if args.users:
        return Path(args.users)
    return Path(os.environ[USERS_ENV]) if os.environ.get(USERS_ENV) else users_path(DEFAULT_STATE)


def _store(args: argparse.Namespace, create: bool = False) -> UserStore:
    from content.accounts import users

    path = _path(args)
    if not create and not path.exists():
        raise users.UserError(
            _("no users file at {file}: `hall user add` makes it (or give --users FILE, or ${env})").format(
                file=path, env=USERS_ENV
            )
        )
    return users.UserStore(path)


def _read_password(name: str, from_stdin: bool) -> str:
    """The new password of `name`: one line of stdin, or asked twice on the terminal; checked against the policy."""
    from content.accounts.users import UserError, check_password

    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not password:
            raise UserError(_("no password on stdin: --password-stdin reads it as one line"))
        check_password(name, password)
        return password
    try:
        password = getpass.getpass(_("New password for {name}: ").format(name=name))
        check_password(name, password)
        again = getpass.getpass(_("The same again: "))
    except EOFError:
        raise UserError(_("no password given")) from None
    if again != password:
        raise UserError(_("the two passwords differ: nothing changed"))
    return password


def _check_centre(directory: str, window: str | None, staff_id: str | None) -> None:
    """Refuse a window or staff id the centre in `directory` does not have."""
    from content.accounts.users import UserError
    from content.centre.loader import load_content

    label = directory.rstrip("/") or directory
    loaded = load_content(Path(directory), label=label)
    if loaded.content is None:
        for problem in loaded.problems:
            print(problem, file=sys.stderr)
        raise UserError(
            _("{label}: cannot check the window against it: fix its problems first (hall check {label})").format(
                label=label
            )
        )
    centre = loaded.content
    windows = [w.id for w in centre.centre.windows]
    if window is not None and window not in windows:
        raise UserError(
            _("window {window!r} is not one of {label}'s windows ({windows})").format(
                window=window, label=label, windows=", ".join(windows)
            )
        )
    staff = [s.id for s in centre.staff]
    if staff_id is not None and staff_id not in staff:
        raise UserError(
            _("staff id {staff!r} is not one of {label}'s staff ({known})").format(
                staff=staff_id, label=label, known=", ".join(staff) or _("none")
            )
        )


def cmd_add(args: argparse.Namespace) -> int:
    from content.accounts.users import UserError, check_account

    check_account(args.name, args.role, args.window, args.staff)
    store = _store(args, create=True)
    if store.get(args.name) is not None:
        raise UserError(
            _("user {name!r} already exists (hall user passwd {name} changes the password)").format(name=args.name)
        )
    if args.content is not None:
        _check_centre(args.content, args.window, args.staff)
    password = _read_password(args.name, args.password_stdin)
    user = store.add(args.name, args.role, password, window=args.window, staff_id=args.staff)
    role = _(ROLE_NAMES.get(user.role, user.role))
    at = _("added {role} {name} at window {window} to {file}")
    line = at if user.window else _("added {role} {name} to {file}")
    print(line.format(role=role, name=user.name, window=user.window, file=store.path))
    return 0


def _width(text: str) -> int:
    """Columns in a terminal, where a hanzi takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _created(when: datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else "-"


def cmd_list(args: argparse.Namespace) -> int:
    store = _store(args)
    users = store.list()
    if not users:
        print(_("no users in {file} (hall user add NAME --role manager makes the first)").format(file=store.path))
        return 0
    header = (
        _("name"),
        _("role"),
        _("window"),
        _("disabled"),
        _("created"),
    )
    yes, no = _("yes"), _("no")
    rows = [
        (u.name, _(ROLE_NAMES.get(u.role, u.role)), u.window or "-", yes if u.disabled else no, _created(u.created))
        for u in users
    ]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(_words.ngettext("{count} user", "{count} users", len(users)).format(count=len(users)))
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    from content.accounts.users import UserError, check_name

    check_name(args.name)
    store = _store(args)
    if store.get(args.name) is None:
        raise UserError(_("no user {name!r}").format(name=args.name))
    store.set_password(args.name, _read_password(args.name, args.password_stdin))
    print(_("changed the password of {name}").format(name=args.name))
    return 0


def _set_disabled(disabled: bool) -> Callable[[argparse.Namespace], int]:
    def cmd(args: argparse.Namespace) -> int:
        _store(args).set_disabled(args.name, disabled)
        print((_("disabled {name}") if disabled else _("enabled {name}")).format(name=args.name))
        return 0

    return cmd


def cmd_remove(args: argparse.Namespace) -> int:
    _store(args).remove(args.name)
    print(_("removed {name}").format(name=args.name))
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the parsed `hall user` subcommand: 0, or 1 with `hall user: <why>` on stderr."""
    require("service")  # the users file's hashes are argon2's
    from content.accounts.users import UserError

    try:
        code: int = args.user_func(args)
    except UserError as exc:
        print(_("{command}: {why}").format(command="hall user", why=exc), file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(_("hall user: {file}: {why}").format(file=_path(args), why=exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(_("{command}: {why}").format(command="hall user", why=exc), file=sys.stderr)
        return 1
    return code


def _add_users(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--users",
        metavar="FILE",
        help=_("the users file (default: ${env}, else {file}, beside the state file)").format(
            env=USERS_ENV, file=DEFAULT_USERS
        ),
    )


def _add_password(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin", action="store_true", help=_("read the password as one line from stdin instead of asking")
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`hall user`'s subcommands on `parser`; run the parsed arguments with `run`."""
    sub = parser.add_subparsers(dest="user_command", required=True, metavar="SUBCOMMAND", parser_class=type(parser))

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, epilog=exit_codes())

    p = command("add", _("add an account (asks for its password twice)"))
    p.add_argument("name", metavar="NAME", help=_("login name: a-z, 0-9, '.', '_', '-', at most 32 characters"))
    p.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        metavar="ROLE",
        help=_(
            "staff: one window's staff; manager: everything, accounts included; supervisor: read-only "
            "(electronic supervision)"
        ),
    )
    p.add_argument("--window", metavar="ID", help=_("the staff account's window (staff only, and required for them)"))
    p.add_argument("--staff", metavar="ID", help=_("the staff member in staff.yaml this account is"))
    p.add_argument("--content", metavar="DIR", help=_("check --window and --staff against this centre"))
    _add_password(p)
    _add_users(p)
    p.set_defaults(user_func=cmd_add)

    p = command("list", _("every account: name, role, window, disabled, created"))
    _add_users(p)
    p.set_defaults(user_func=cmd_list)

    p = command("passwd", _("set an account's password (asks for it twice)"))
    p.add_argument("name", metavar="NAME", help=_("the login name"))
    _add_password(p)
    _add_users(p)
    p.set_defaults(user_func=cmd_passwd)

    p = command("disable", _("stop an account from logging in (kept, with its history)"))
    p.add_argument("name", metavar="NAME", help=_("the login name"))
    _add_users(p)
    p.set_defaults(user_func=_set_disabled(True))

    p = command("enable", _("let a disabled account log in again"))
    p.add_argument("name", metavar="NAME", help=_("the login name"))
    _add_users(p)
    p.set_defaults(user_func=_set_disabled(False))

    p = command("remove", _("delete an account"))
    p.add_argument("name", metavar="NAME", help=_("the login name"))
    _add_users(p)
    p.set_defaults(user_func=cmd_remove)


def main(argv: Sequence[str]) -> int:
    """`hall user` on its own: `main(["add", "wang", "--role", "manager"])`; the exit code (2: usage)."""
    from content.shared.catalog import translate_argparse

    translate_argparse()
    parser = argparse.ArgumentParser(
        prog="hall user", description=_("The accounts of the staff console."), epilog=exit_codes()
    )
    add_arguments(parser)
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # usage errors (2) and --help (0)
        return exc.code if isinstance(exc.code, int) else 2
    return run(args)
