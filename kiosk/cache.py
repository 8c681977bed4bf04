"""The kiosk's disk cache: the last good payload of each document (`DocumentCache`), and media by content
hash. Media are addressed by their sha256: what arrives on
`media/<sha>` is stored only if it hashes to `<sha>`, and a file read back is checked again. Only the
kiosk's own regular files are read back or shown (`content.shared.files`): a link, a FIFO or a file larger
than a medium may be is left out.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from content.shared import limits as cap
from content.shared.device_link import DocumentCache
from content.shared.files import UnsafeFile, read_regular, write_file
from kiosk.model import DOCUMENTS
from kiosk.words import _

log = logging.getLogger("hall.kiosk")

MAX_MEDIA_BYTES: Final = cap.MEDIA_BYTES
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def is_sha256(text: str) -> bool:
    return bool(_SHA256.match(text))


class KioskCache(DocumentCache):
    def __init__(self, directory: Path, topics: Iterable[str] = DOCUMENTS) -> None:
        super().__init__(directory, topics, log)
        self.media_dir = directory / "media"

    # -- media ----------------------------------------------------------------------------------

    def store_media(self, sha256: str, data: bytes) -> bool:
        """Keep `data` as the medium `sha256`; False (and nothing stored) if it does not hash to it."""
        if not is_sha256(sha256) or not data or len(data) > MAX_MEDIA_BYTES:
            return False
        if hashlib.sha256(data).hexdigest() != sha256:
            log.warning(_("media/%s ignored: its content hashes to something else"), sha256)
            return False
        if self.media_path(sha256) is not None:
            return True
        try:
            self.media_dir.mkdir(parents=True, exist_ok=True)
            write_file(self.media_dir / sha256, data)
        except OSError as exc:
            log.warning(_("cannot cache media %s: %s"), sha256, exc)
            return False
        return True

    def media_path(self, sha256: str) -> Path | None:
        """Where a cached medium is, or None."""
        if not is_sha256(sha256):
            return None
        path = self.media_dir / sha256
        try:
            st = os.lstat(path)  # the screen opens it by its path: never a link, nor anything but a file
        except OSError:
            return None
        return path if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_MEDIA_BYTES else None

    def load_media(self) -> frozenset[str]:
        """The hashes of the media on disk, each checked; a file that fails its hash is removed."""
        good = set()
        with contextlib.suppress(OSError):
            for path in self.media_dir.iterdir():
                if not is_sha256(path.name):
                    continue
                try:
                    data = read_regular(path, MAX_MEDIA_BYTES)
                except (UnsafeFile, OSError) as exc:
                    log.warning(_("cached media ignored: %s"), exc)
                    continue
                if hashlib.sha256(data).hexdigest() == path.name:
                    good.add(path.name)
                else:
                    log.warning(_("cached media %s is damaged: removed"), path.name)
                    with contextlib.suppress(OSError):
                        path.unlink()
        return frozenset(good)
