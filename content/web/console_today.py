"""The staff console's today page (to be written)."""

from __future__ import annotations

from content.web.console import Console


def add(console: Console) -> None:
    """Adds this part's routes to `console.bp` and its tab to `console.nav`."""
