"""English left in what a hall's people read: the words of a text that are English, for the tests of each
surface that read its output in zh_CN."""

from __future__ import annotations

import re
from collections.abc import Iterable

ALLOWED = frozenset(
    {"qr", "led", "pdf", "csv", "mqtt", "mqtts", "qos", "json", "yaml", "url", "tls", "id", "ip", "ok", "usb"}
)
"""Words a Chinese hall reads as they are."""
_NOT_WORDS = re.compile(
    r"[a-z][a-z0-9+.-]*://\S+"  # URLs
    r"|(?:\.{0,2}/|~/)[\w./-]+"  # paths
    r"|--?[a-z][\w-]*"  # options
    r"|\$?[A-Z][A-Z0-9_]{2,}"  # environment variables, constants
    r"|[\w.-]+\.(?:ya?ml|json|csv|pdf|png|db|conf|log|gz|txt)\b"  # file names
    r"|[\w.+-]+@[\w.-]+",  # addresses
)
_WORD = re.compile(r"[A-Za-z][A-Za-z']{2,}")


def english(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The English words of `text`, beyond URLs, paths, options, names of files and the ALLOWED words."""
    keep = ALLOWED | {a.lower() for a in allowed}
    return [w for w in _WORD.findall(_NOT_WORDS.sub(" ", text)) if w.lower() not in keep]
