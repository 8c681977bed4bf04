"""Watching, from inside the test's process, the mode of the secret files some code writes, from the moment
each exists (even empty: it is about to hold the secret): at every audit event that touches files or
processes (each open, chmod, rename, link, subprocess, SQLite connection) and once more at the end. A secret
that others could read at any moment leaked, however short the moment; this catches a write followed by a
chmod without patching the code under test, and with the umask at 0 (`open_umask`) nothing but the code
itself stands between a secret and others.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_EVENTS = ("open", "os.", "subprocess.", "sqlite3.", "shutil.")
_watches: list[Watch] = []
_busy = threading.local()
_hooked = False


class Watch:
    """The files below `directory` named one of `names`, and their temporary files (`.<name>.*`); `wrong`
    says what is wrong with the bytes of a file under exactly one of those names (a password in plain, a
    secret half written), or None."""

    def __init__(
        self, directory: Path, names: tuple[str, ...], wrong: Callable[[bytes], str | None] | None = None
    ) -> None:
        self.directory = directory
        self.names = names
        self.wrong = wrong
        self.leaks: list[str] = []
        self.seen: set[str] = set()

    def check(self, event: str) -> None:
        with contextlib.suppress(OSError):
            for path in self.directory.rglob("*"):
                if not any(path.name == name or path.name.startswith(f".{name}.") for name in self.names):
                    continue  # neither one of the names nor a temporary file of one
                with contextlib.suppress(OSError):
                    st = path.lstat()
                    if not stat.S_ISREG(st.st_mode):
                        continue
                    self.seen.add(path.name)
                    if st.st_mode & 0o077:
                        self.leaks.append(
                            f"{path.name}: {st.st_size} bytes at mode {stat.S_IMODE(st.st_mode):o} ({event})"
                        )
                    if self.wrong is not None and path.name in self.names:
                        problem = self.wrong(path.read_bytes())
                        if problem is not None:
                            self.leaks.append(f"{path.name}: {problem} ({event})")


def _hook(event: str, _args: tuple[Any, ...]) -> None:
    if not _watches or not event.startswith(_EVENTS) or getattr(_busy, "on", False):
        return
    _busy.on = True
    try:
        for watch in list(_watches):
            watch.check(event)
    finally:
        _busy.on = False


@contextlib.contextmanager
def watch_secrets(directory: Path, *names: str, wrong: Callable[[bytes], str | None] | None = None) -> Iterator[Watch]:
    """Watch what the block writes below `directory`; `Watch.leaks` says each moment a secret was readable
    by others, `Watch.seen` which secret files appeared."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_hook)  # cannot be removed: it does nothing while no watch is open
        _hooked = True
    watch = Watch(directory, names, wrong)
    _watches.append(watch)
    try:
        yield watch
    finally:
        _watches.remove(watch)
        watch.check("the end")


@contextlib.contextmanager
def open_umask() -> Iterator[None]:
    """A umask of 0 for the block: every file is as open as the code that makes it asks for."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)
