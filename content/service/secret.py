"""The secret the tracking links are signed with: made on the service's first start, kept beside its
state (never in the repository or the content directory, which are copied and shared)."""

from __future__ import annotations

import secrets
from pathlib import Path

from content.shared.catalog import domain
from content.shared.files import PRIVATE, UnsafeFile, read_regular, write_file

_ = domain("service").gettext

SECRET_BYTES = 32
SECRET_FILE = "case-secret"
"""Its name beside the state file, unless `hall serve --case-secret` names another."""
_MAX_BYTES = 4096


class SecretError(Exception):
    """The secret cannot be read or made; the message names the file and what is wrong."""


def load_or_create(path: Path, content_dir: Path | None = None) -> bytes:
    """The secret in `path`, made if the file does not exist yet: readable by its owner only from its first
    byte, and there whole or not at all (another service starting at the same moment uses the same)."""
    if content_dir is not None and path.resolve().is_relative_to(content_dir.resolve()):
        raise SecretError(
            _("{file}: the tracking links' secret must not be kept in the content directory {directory}").format(
                file=path, directory=content_dir
            )
        )
    try:
        data = read_regular(path, _MAX_BYTES)
    except FileNotFoundError:
        return _create(path, content_dir)
    except UnsafeFile as exc:
        raise SecretError(_("{why}: the tracking links' secret must be a file of its own").format(why=exc)) from None
    except OSError as exc:
        raise SecretError(
            _("{file}: cannot read the tracking links' secret: {why}").format(file=path, why=exc.strerror)
        ) from None
    if len(data) < 16:
        raise SecretError(
            _("{file}: holds {count} bytes, too short to be the tracking links' secret ({expected} expected)").format(
                file=path, count=len(data), expected=SECRET_BYTES
            )
        )
    if path.lstat().st_mode & 0o077:
        raise SecretError(_("{file}: others may read the tracking links' secret; chmod 600 {file}").format(file=path))
    return data


def _create(path: Path, content_dir: Path | None) -> bytes:
    data = secrets.token_bytes(SECRET_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, data, mode=PRIVATE, exclusive=True)
    except FileExistsError:  # another process made it in between: use theirs
        return load_or_create(path, content_dir)
    except OSError as exc:
        raise SecretError(
            _("{file}: cannot create the tracking links' secret: {why}").format(file=path, why=exc.strerror)
        ) from None
    return data
