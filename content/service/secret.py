"""The secret the tracking links are signed with: made on the service's first start, kept beside its
state (never in the repository or the content directory, which are copied and shared)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_BYTES = 32
SECRET_FILE = "case-secret"
"""Its name beside the state file, unless `hall serve --case-secret` names another."""


class SecretError(Exception):
    """The secret cannot be read or made; the message names the file and what is wrong."""


def load_or_create(path: Path, content_dir: Path | None = None) -> bytes:
    """The secret in `path`, made (readable by its owner only) if the file does not exist yet."""
    if content_dir is not None and path.resolve().is_relative_to(content_dir.resolve()):
        raise SecretError(f"{path}: the tracking links' secret must not be kept in the content directory {content_dir}")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = secrets.token_bytes(SECRET_BYTES)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it in between: use theirs
            return load_or_create(path, content_dir)
        except OSError as exc:
            raise SecretError(f"{path}: cannot create the tracking links' secret: {exc.strerror}") from None
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return data
    except OSError as exc:
        raise SecretError(f"{path}: cannot read the tracking links' secret: {exc.strerror}") from None
    if len(data) < 16:
        raise SecretError(f"{path}: holds {len(data)} bytes, too short to be the tracking links' secret (32 expected)")
    if path.stat().st_mode & 0o077:
        raise SecretError(f"{path}: others may read the tracking links' secret; chmod 600 {path}")
    return data
