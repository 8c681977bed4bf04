"""Files on a device's or the service's own disk, read and written so that whatever someone put in their
place cannot hang, swell or fool the process: the one module that opens caches, secrets, the state and users
files and content files by path.

Reading: a regular file only (a FIFO cannot block the open, a device or a directory is refused), never
through a symbolic link unless the caller allows one, never more than its bound plus one byte. Writing: the
whole file in a new file beside the target, created with its final mode before its first byte whatever the
umask, then renamed over the target, which replaces a symbolic link planted there rather than following it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from content.shared.catalog import N_, domain

_ = domain("shared").gettext

PRIVATE: Final = 0o600
"""Secrets and personal data: readable and writable by their owner only."""
PUBLIC: Final = 0o644

_READ_CHUNK = 64 * 1024


class UnsafeFile(OSError):
    """A file that is not what its reader may take: `problem` says what it is instead. An OSError, so that
    whoever reports a file it cannot open reports this too. Its words are the hall's language: `str()` is a
    whole sentence that names the file, `problem` (and `strerror`) the same without the file, to follow
    "cannot open PATH: " as an OS error's reason does."""

    def __init__(self, path: Path, said: str, problem: str) -> None:
        """`said`: the sentence naming the file; `problem`: what it is, without the file (both translated)."""
        super().__init__(said)
        self.path = path
        self.problem = problem
        self.strerror = problem  # what "cannot open PATH: {exc.strerror}" says


class TooLarge(UnsafeFile):
    """A regular file larger than its reader takes."""

    def __init__(self, path: Path, size: int | None, limit: int) -> None:
        """`size`: what the file says it is; None when it held more than it said."""
        if size:
            said = _("{file} is {size} bytes, more than the {limit} it may be")
            problem = _("is {size} bytes, more than the {limit} it may be")
        else:
            said = _("{file} holds more than the {limit} bytes it may")
            problem = _("holds more than the {limit} bytes it may")
        super().__init__(path, said.format(file=path, size=size, limit=limit), problem.format(size=size, limit=limit))
        self.size = size
        self.limit = limit


_Words = tuple[str, str]
"""A problem in words: the sentence naming the file ({file}), and the same without it (catalog ids)."""

_LINK: Final[_Words] = (
    N_("{file} is a symbolic link, not a regular file"),
    N_("is a symbolic link, not a regular file"),
)
_NOT_REGULAR: Final[_Words] = (N_("{file} is not a regular file"), N_("is not a regular file"))
_KINDS: Final[tuple[tuple[Callable[[int], bool], _Words], ...]] = (
    (stat.S_ISDIR, (N_("{file} is a directory, not a regular file"), N_("is a directory, not a regular file"))),
    (stat.S_ISFIFO, (N_("{file} is a FIFO, not a regular file"), N_("is a FIFO, not a regular file"))),
    (
        stat.S_ISCHR,
        (N_("{file} is a character device, not a regular file"), N_("is a character device, not a regular file")),
    ),
    (stat.S_ISBLK, (N_("{file} is a block device, not a regular file"), N_("is a block device, not a regular file"))),
    (stat.S_ISSOCK, (N_("{file} is a socket, not a regular file"), N_("is a socket, not a regular file"))),
    (stat.S_ISLNK, _LINK),
)


def _unsafe(path: Path, words: _Words) -> UnsafeFile:
    said, problem = words
    return UnsafeFile(path, _(said).format(file=path), _(problem))


def _kind(mode: int) -> _Words:
    return next((words for test, words in _KINDS if test(mode)), _NOT_REGULAR)


def _open_regular(path: Path, flags: int, *, follow: bool, mode: int = 0) -> int:
    """A descriptor on the regular file `path`; UnsafeFile for anything else. O_NONBLOCK: opening a FIFO
    with no writer returns at once (and is then refused) instead of waiting for one."""
    flags |= os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise _unsafe(path, _LINK) from None
        if exc.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
            raise _unsafe(path, _NOT_REGULAR) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _unsafe(path, _kind(st.st_mode))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path, limit: int, *, follow: bool = False) -> bytes:
    """The bytes of the regular file `path`, if it holds no more than `limit`; nothing past `limit` + 1
    bytes is read, whatever the file says its size is.

    UnsafeFile: a symbolic link (unless `follow`: a link to a regular file is then read), anything but a
    regular file, or (TooLarge) a file larger than `limit`. OSError when it cannot be opened or read
    (FileNotFoundError when there is nothing at `path`).
    """
    fd = _open_regular(path, os.O_RDONLY, follow=follow)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise TooLarge(path, size, limit)
        chunks: list[bytes] = []
        left = limit + 1
        want = size + 1  # all of it and the end in one read, unless it says a size it does not have
        while left > 0:
            chunk = os.read(fd, min(left, want))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            want = _READ_CHUNK
        if left <= 0:  # it grew, or says a size it does not have
            raise TooLarge(path, None, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@contextlib.contextmanager
def staged(path: Path, data: bytes = b"", *, mode: int = PUBLIC, exclusive: bool = False) -> Iterator[Path]:
    """`data` in a new file beside `path`, of mode `mode` from its creation whatever the umask. The block may
    work on that file by the path it is given (a tool rewriting it in place, a library saving to it); when it
    ends, the file takes the place of `path` in one rename, so a reader finds the old content or the new, never
    half of one. A symbolic link at `path` is replaced, not followed. `exclusive`: only if nothing is at `path`
    yet (FileExistsError, and nothing changed, otherwise). The new file is removed if anything fails."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        try:
            os.fchmod(fd, mode)  # the umask may have taken bits away; nothing is written yet
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        yield temporary
        if exclusive:
            os.link(temporary, path)  # fails if anything, even a dangling link, is at `path`
            os.unlink(temporary)
        else:
            os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_file(path: Path, data: bytes, *, mode: int = PUBLIC, exclusive: bool = False) -> None:
    """Write `data` to `path` as `staged` does: mode `mode` from the first byte, in place in one rename."""
    with staged(path, data, mode=mode, exclusive=exclusive):
        pass


def private_file(path: Path, *, create: bool = True) -> None:
    """Make `path` a regular file only its owner may read before anything else (SQLite) opens it: created
    empty with mode 0600 if there is nothing there (and `create`), tightened to 0600 if others may read it.
    UnsafeFile for a symbolic link or anything but a regular file; FileNotFoundError without `create`."""
    fd = _open_regular(path, os.O_RDWR | (os.O_CREAT if create else 0), follow=False, mode=PRIVATE)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, PRIVATE)
    finally:
        os.close(fd)


def private_database(path: Path) -> None:
    """`private_file` for an SQLite database before SQLite opens it, and for its journal files that exist
    (SQLite makes new ones with the database's mode)."""
    private_file(path)
    for side in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            private_file(path.with_name(path.name + side), create=False)
