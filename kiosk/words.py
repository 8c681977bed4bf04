"""The kiosk's words, from the "kiosk" message catalog: `_` for its Python modules and its kv files
(`#:import _ kiosk.words._`, then `_("…")` in a property's value)."""

from __future__ import annotations

from content.shared.catalog import domain

__all__ = ["_", "ngettext", "pgettext"]

_words = domain("kiosk")
_ = _words.gettext
ngettext = _words.ngettext
pgettext = _words.pgettext
