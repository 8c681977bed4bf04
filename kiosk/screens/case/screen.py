"""Look a case up by its number, typed on a big numeric keypad."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.properties import StringProperty

from kiosk.device import CaseResult
from kiosk.widgets import KButton, KioskScreen, clear_into, load_kv

MAX_DIGITS = 20


class CaseScreen(KioskScreen):
    number = StringProperty("")
    message = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        keys = []
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "删除", "0", "查询"):
            button = KButton(text=key, base=56, min_height=140, kind="primary" if key == "查询" else "normal")
            button.bind(on_release=lambda _b, k=key: self.press(k))
            keys.append(button)
        clear_into(self.ids.keypad, keys)

    def reset(self) -> None:
        self.number = self.message = ""

    def press(self, key: str) -> None:
        if key == "删除":
            self.number = self.number[:-1]
        elif key == "查询":
            self.lookup()
        elif len(self.number) < MAX_DIGITS:
            self.number += key

    def lookup(self) -> None:
        from kivy.app import App

        if not self.number:
            self.message = "请先输入受理编号"
            return
        self.message = "正在查询，请稍候……"
        App.get_running_app().request_case(self.number)

    def show_result(self, result: CaseResult) -> None:
        if result.ok and result.case is not None:
            status = result.case.get("status_name") or result.case.get("status") or ""
            self.message = f"受理编号 {self.number}：{status}" if status else f"已查到受理编号 {self.number}"
        else:
            self.message = result.message


load_kv(str(Path(__file__).with_name("screen.kv")))
