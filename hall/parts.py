"""The parts of the hall a machine installs (setup.py's extras): which modules each needs, and the sentence
a subcommand says when its part is missing. Asks importlib where a module is, never imports one.
"""

from __future__ import annotations

import importlib.util
from typing import Final, Literal

from content.shared.catalog import N_, domain

_ = domain("hall").gettext

Part = Literal["service", "kiosk", "led"]

NEEDS: Final[dict[Part, tuple[str, ...]]] = {
    "service": (
        "flask",
        "waitress",
        "watchfiles",
        "argon2",
        "chinese_calendar",
        "qrcode",
        "PIL",
        "fontTools",
        "pypinyin",
    ),
    "kiosk": ("kivy", "qrcode", "pypinyin", "fontTools"),
    "led": ("PIL",),
}
"""The top-level modules of each extra's packages, as setup.py lists them."""
NAMES: Final[dict[Part, tuple[str, str]]] = {
    "service": (N_("service side"), N_("content service, public pages, staff console")),
    "kiosk": (N_("kiosk"), N_("touchscreen")),
    "led": (N_("LED display"), N_("display driver")),
}
"""Each part as the installer reads it: its name, and what it runs (catalog ids)."""


class PartMissing(Exception):
    """A subcommand needs a part this machine has not installed."""

    def __init__(self, part: Part, modules: tuple[str, ...]) -> None:
        self.part, self.modules = part, modules
        super().__init__(missing_sentence(part, modules))


def missing_sentence(part: Part, modules: tuple[str, ...]) -> str:
    """What to tell the installer: which part, which modules are missing, and the extra that brings them."""
    name, runs = NAMES[part]
    return _(
        "this machine has not installed the {name} part ({runs}): {modules} missing. "
        "Install it: pip install 'hall[{part}]' (every part: pip install 'hall[all]')"
    ).format(name=_(name), runs=_(runs), modules=listed(modules), part=part)


def listed(words: tuple[str, ...] | list[str]) -> str:
    """Words one after the other, as a list reads in the hall's language (、 between them in Chinese)."""
    return _(", ").join(words)


def missing(part: Part) -> tuple[str, ...]:
    """The modules of `part` this Python cannot find."""
    return tuple(name for name in NEEDS[part] if importlib.util.find_spec(name) is None)


def require(*parts: Part) -> None:
    """Raise PartMissing for the first of `parts` not installed here."""
    for part in parts:
        if gone := missing(part):
            raise PartMissing(part, gone)
