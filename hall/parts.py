"""The parts of the hall a machine installs (setup.py's extras): which modules each needs, and the sentence
a subcommand says when its part is missing. Asks importlib where a module is, never imports one.
"""

from __future__ import annotations

import importlib.util
from typing import Final, Literal

Part = Literal["service", "kiosk", "led"]

NEEDS: Final[dict[Part, tuple[str, ...]]] = {
    "service": ("flask", "waitress", "watchfiles", "argon2", "chinese_calendar", "qrcode", "PIL", "fontTools"),
    "kiosk": ("kivy", "qrcode", "pypinyin", "fontTools"),
    "led": ("PIL",),
}
"""The top-level modules of each extra's packages, as setup.py lists them."""
NAMES: Final[dict[Part, tuple[str, str]]] = {
    "service": ("服务端", "内容服务、公共页面、工作台"),
    "kiosk": ("自助终端", "触摸屏"),
    "led": ("LED 显示屏", "显示屏驱动"),
}
"""Each part as the installer reads it: its name, and what it runs."""


class PartMissing(Exception):
    """A subcommand needs a part this machine has not installed."""

    def __init__(self, part: Part, modules: tuple[str, ...]) -> None:
        self.part, self.modules = part, modules
        super().__init__(missing_sentence(part, modules))


def missing_sentence(part: Part, modules: tuple[str, ...]) -> str:
    """What to tell the installer: which part, which modules are missing, and the extra that brings them."""
    name, runs = NAMES[part]
    return (
        f"本机没有安装{name}部分（{runs}），缺少 {'、'.join(modules)}。"
        f"请安装：pip install 'hall[{part}]'（全部部分：pip install 'hall[all]'）"
    )


def missing(part: Part) -> tuple[str, ...]:
    """The modules of `part` this Python cannot find."""
    return tuple(name for name in NEEDS[part] if importlib.util.find_spec(name) is None)


def require(*parts: Part) -> None:
    """Raise PartMissing for the first of `parts` not installed here."""
    for part in parts:
        if gone := missing(part):
            raise PartMissing(part, gone)
