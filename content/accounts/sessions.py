"""The staff console's logins in progress, and the limit on wrong passwords. In memory, thread-safe, bounded.

A session lasts at most `ttl_s` from its login and ends after `idle_s` without a request; when
`max_sessions` are open, a new login ends the one left unused the longest. Its id goes in the cookie, its
CSRF token in every form; neither is ever shown in a repr or a log.

Sessions live in the service's memory, so `hall user passwd` or `disable`, run in another process, cannot
end them: each request checks its session against the user as stored now with `still_valid` (the user's
`updated` changes with every change of the password or of `disabled`).

`LoginLimiter` counts tries per login name and per client (the address the request came from): `per_name`
in `window_s` lock that name, `per_client` lock that client, each until the oldest of those tries is
`window_s` old. A try is counted before its password is checked (`attempt`), so that parallel tries cannot
all pass the check before the first failure is counted; a right password takes its own try back from the
client and forgets the name's (`succeeded`). It remembers at most `max_keys` names and clients, the least
recent going first.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Final

from content.accounts.users import User

MAX_TOKEN: Final = 128
"""Longer than any id or token made here: what is longer is refused before any lookup."""
MAX_KEY: Final = 128
"""A login name or a client as the limiter keeps it: what anyone types is cut to this."""


@dataclass(frozen=True)
class Session:
    id: str = field(repr=False)
    csrf: str = field(repr=False)
    user: str
    """The user's login name."""
    created: float
    last_seen: float
    stamp: str = ""
    """The user's `updated` at login: a later change of the password or of `disabled` ends the session."""


def _stamp(user: User) -> str:
    return user.updated.isoformat() if user.updated else ""


def still_valid(session: Session, user: User | None) -> bool:
    """Whether `user` (as stored now; None when gone) still holds `session`: enabled, and unchanged since login."""
    return user is not None and not user.disabled and user.name == session.user and _stamp(user) == session.stamp


def csrf_ok(session: Session, given: str | None) -> bool:
    """Whether `given` (a form's or a header's token) is the session's CSRF token, compared in constant time."""
    if not isinstance(given, str) or not given or len(given) > MAX_TOKEN:
        return False
    return hmac.compare_digest(session.csrf.encode(), given.encode("utf-8", "surrogateescape"))


class Sessions:
    def __init__(
        self,
        ttl_s: float = 8 * 3600,
        idle_s: float = 30 * 60,
        max_sessions: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_s <= 0 or idle_s <= 0 or max_sessions < 1:
            raise ValueError("ttl_s and idle_s must be positive, max_sessions at least 1")  # catalog: internal
        self.ttl_s, self.idle_s, self.max_sessions = ttl_s, idle_s, max_sessions
        self._clock = clock
        self._lock = threading.Lock()
        self._open: OrderedDict[str, Session] = OrderedDict()
        """By id, the least recently seen first."""

    def __len__(self) -> int:
        with self._lock:
            return len(self._open)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.created >= self.ttl_s or now - session.last_seen >= self.idle_s

    def _purge(self, now: float) -> None:
        for sid in [sid for sid, s in self._open.items() if self._expired(s, now)]:
            del self._open[sid]

    def create(self, user: User) -> Session:
        """A new session for `user` (just logged in)."""
        with self._lock:
            now = self._clock()
            if len(self._open) >= self.max_sessions:
                self._purge(now)
            while len(self._open) >= self.max_sessions:
                self._open.popitem(last=False)
            session = Session(
                id=secrets.token_urlsafe(32),
                csrf=secrets.token_urlsafe(32),
                user=user.name,
                created=now,
                last_seen=now,
                stamp=_stamp(user),
            )
            self._open[session.id] = session
            return session

    def get(self, sid: str | None) -> Session | None:
        """The open session `sid`, seen now; None when there is none or it has expired (it is ended then)."""
        if not isinstance(sid, str) or not sid or len(sid) > MAX_TOKEN:
            return None
        with self._lock:
            session = self._open.get(sid)
            if session is None:
                return None
            now = self._clock()
            if self._expired(session, now):
                del self._open[sid]
                return None
            session = replace(session, last_seen=now)
            self._open[sid] = session
            self._open.move_to_end(sid)
            return session

    def end(self, sid: str | None) -> bool:
        """Log out: whether there was such a session."""
        if not isinstance(sid, str):
            return False
        with self._lock:
            return self._open.pop(sid, None) is not None

    def end_all(self, name: str) -> int:
        """End every session of user `name` (after a change of password, disabling or removal): how many."""
        with self._lock:
            ended = [sid for sid, s in self._open.items() if s.user == name]
            for sid in ended:
                del self._open[sid]
            return len(ended)


class LoginLimiter:
    def __init__(
        self,
        per_name: int = 5,
        per_client: int = 20,
        window_s: float = 15 * 60,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_name < 1 or per_client < 1 or window_s <= 0 or max_keys < 2:
            raise ValueError(
                "per_name and per_client must be at least 1, "  # catalog: internal
                "window_s positive, max_keys at least 2"
            )
        self.per_name, self.per_client, self.window_s, self.max_keys = per_name, per_client, window_s, max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._tries: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        """By ("name", login name) or ("client", client): the times of their latest tries; least recent first."""

    def __len__(self) -> int:
        with self._lock:
            return len(self._tries)

    def _keys(self, name: str, client: str) -> list[tuple[tuple[str, str], int]]:
        """The name's key and the client's, each with its limit."""
        return [
            (("name", str(name).strip().lower()[:MAX_KEY]), self.per_name),
            (("client", str(client)[:MAX_KEY]), self.per_client),
        ]

    def attempt(self, name: str, client: str) -> float:
        """A try at logging in as `name` from `client`, counted against both before the password is checked:
        0 when it may go ahead, else how many seconds it must wait (and nothing is counted)."""
        with self._lock:
            now = self._clock()
            keys = self._keys(name, client)
            wait = max(self._wait(key, limit, now) for key, limit in keys)
            if wait > 0:
                return wait
            for key, limit in keys:
                times = self._tries.get(key)
                if times is None:
                    while len(self._tries) >= self.max_keys:
                        self._tries.popitem(last=False)
                    times = self._tries[key] = deque(maxlen=limit)
                else:
                    self._tries.move_to_end(key)
                times.append(now)
            return 0.0

    def _wait(self, key: tuple[str, str], limit: int, now: float) -> float:
        """Forgets the key's tries older than the window; how long it must wait before the next."""
        times = self._tries.get(key)
        if times is None:
            return 0.0
        while times and times[0] + self.window_s <= now:
            times.popleft()
        if len(times) < limit:
            return 0.0
        return max(0.0, times[0] + self.window_s - now)

    def succeeded(self, name: str, client: str) -> None:
        """The try at `name` from `client` had the right password: the name's tries are forgotten, and the
        client gets this one back.

        The client's other tries are not forgotten: one account's password must not reset the count of a
        client trying others'.
        """
        with self._lock:
            (name_key, _), (client_key, _) = self._keys(name, client)
            self._tries.pop(name_key, None)
            times = self._tries.get(client_key)
            if times:
                times.pop()
