"""Take a number: the category, then an optional priority, then the number big (or why there is none).

`show_sample` shows a made-up result marked as one (the screenshot tour's), and sends nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.device import TicketResult
from kiosk.model import KioskModel
from kiosk.qr import qr_texture
from kiosk.viewmodel import closed_notice, home_tiles, ticket_notice
from kiosk.widgets import KButton, KioskScreen, KLabel, clear_into, load_kv, scroll_to_top

PRIORITIES: Final = (
    ("elderly", "老年人"),
    ("disabled", "残疾人"),
    ("pregnant", "孕妇"),
    ("military", "军人"),
    ("appointment", "预约"),
)
NUMBER_COLOUR = (1, 0.82, 0.1, 1)
SAMPLE_COLOUR = (1, 0.35, 0.3, 1)
SAMPLE_MARK: Final = "样例 · 示例，非真实号码"
"""Over the number of a sample result: nobody may queue with it."""
SAMPLE_PROMPT: Final = "样例画面：本机并未取号"
QR_PX: Final = 360


class TicketScreen(KioskScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step = "category"
        self.category = ""
        self.priority: str | None = None
        self.result: TicketResult | None = None
        self.sample = False
        """The result shown is a sample (`show_sample`), not the service's."""
        self._model: KioskModel | None = None
        self._shown_step = ""

    def start(self) -> None:
        self.step, self.category, self.priority, self.result, self.sample = "category", "", None, None, False
        self._show()

    def refresh(self, model: KioskModel) -> None:
        self._model = model
        if self.step in ("category", "priority"):  # a result or a wait in progress is left alone
            self._show()

    def choose_category(self, category: str) -> None:
        self.step, self.category = "priority", category
        self._show()

    def choose_priority(self, priority: str | None) -> None:
        from kivy.app import App

        self.step, self.priority = "waiting", priority
        self._show()
        App.get_running_app().request_ticket(self.category, priority)

    def retry(self) -> None:
        """Send the same command again after no answer: its command id makes the service issue at most
        one number, even if the first one did arrive."""
        from kivy.app import App

        command_id = self.result.command_id if self.result is not None else ""
        self.step = "waiting"
        self._show()
        App.get_running_app().request_ticket(self.category, self.priority, command_id=command_id or None)

    def show_result(self, result: TicketResult) -> None:
        self.step, self.result, self.sample = "result", result, False
        self._show()

    def show_sample(self, result: TicketResult) -> None:
        """Show `result` as the service's would be, marked 样例 over the number and in the prompt: no
        command is sent, no number taken."""
        self.step, self.result, self.sample = "result", result, True
        self._show()

    def _show(self) -> None:
        model = self._model
        widgets: list[Any] = []
        if self.step == "category":
            prompt = "第一步：请选择您要办理的业务类别"
            now = model.centre.now() if model and model.centre else None
            notice = closed_notice(model, now, with_hours=False) if model and now else ""
            numbers = ticket_notice(model, now) if model and now else None
            self.ids.prompt.text = "\n".join(t for t in (notice, numbers or prompt) if t)
            for tile in home_tiles(model) if model else ():
                button = KButton(text=f"{tile.name}\n{tile.caption}", base=42, min_height=180, disabled=bool(numbers))
                button.bind(on_release=lambda _b, c=tile.category: self.choose_category(c))
                widgets.append(button)
        elif self.step == "priority":
            category = model.category(self.category) if model else None
            name = category.name if category else ""
            self.ids.prompt.text = f"第二步：{name}\n如符合以下情况，可优先办理；否则请按“普通取号”"
            normal = KButton(text="普通取号", base=48, kind="primary", min_height=160)
            normal.bind(on_release=lambda _b: self.choose_priority(None))
            widgets.append(normal)
            for code, label in PRIORITIES:
                button = KButton(text=label, base=44)
                button.bind(on_release=lambda _b, p=code: self.choose_priority(p))
                widgets.append(button)
        elif self.step == "waiting":
            self.ids.prompt.text = "正在取号，请稍候……"
        elif self.result is not None:
            result = self.result
            if result.ok:
                self.ids.prompt.text = SAMPLE_PROMPT if self.sample else "取号成功，请留意叫号"
                widgets.append(self._ticket(result, self.sample))
            else:
                self.ids.prompt.text = "未能取号"
                widgets.append(KLabel(text=result.message, base=48, halign="center"))
                if result.retry:
                    again = KButton(text="重试", base=64, kind="primary", min_height=200)
                    again.bind(on_release=lambda _b: self.retry())
                    widgets.append(again)
            done = KButton(text="完成，返回首页", base=44, kind="primary" if result.ok else "normal", min_height=160)
            done.bind(on_release=lambda _b: self._go_home())
            widgets.append(done)
        clear_into(self.ids.body, widgets)
        if self.step != self._shown_step:  # a new step starts at its top: 普通取号 first, never scrolled away
            self._shown_step = self.step
            scroll_to_top(self)

    @staticmethod
    def _ticket(result: TicketResult, sample: bool = False) -> Any:
        """The number, what it is for and the wait; beside them in landscape (below in portrait) the QR code
        that follows it on a phone: number, QR code and 完成 all on one screen without scrolling. A sample
        has its mark over the number."""
        from kivy.core.window import Window

        landscape = Window.width > Window.height
        row = BoxLayout(orientation="horizontal" if landscape else "vertical", size_hint_y=None, spacing=16)
        row.bind(minimum_height=row.setter("height"))
        facts = BoxLayout(orientation="vertical", size_hint_y=None, spacing=8)
        facts.bind(minimum_height=facts.setter("height"))
        if sample:
            facts.add_widget(KLabel(text=SAMPLE_MARK, base=48, halign="center", color=SAMPLE_COLOUR, bold=True))
        facts.add_widget(KLabel(text=result.ticket, base=200, halign="center", color=NUMBER_COLOUR))
        kind = "　".join(t for t in (result.category_name, result.priority_name) if t)
        if kind:
            facts.add_widget(KLabel(text=kind, base=44, halign="center"))
        facts.add_widget(KLabel(text=result.message, base=44, halign="center"))
        row.add_widget(facts)
        if result.url:
            follow = BoxLayout(orientation="vertical", size_hint_y=None, spacing=8)
            follow.bind(minimum_height=follow.setter("height"))
            follow.add_widget(KLabel(text="用手机扫码，随时查看排队进度", base=38, halign="center"))
            box = AnchorLayout(size_hint_y=None, height=QR_PX + 20)
            box.add_widget(Image(texture=qr_texture(result.url), size_hint=(None, None), size=(QR_PX, QR_PX)))
            follow.add_widget(box)
            row.add_widget(follow)
        return row

    @staticmethod
    def _go_home() -> None:
        from kivy.app import App

        App.get_running_app().go("home")


load_kv(str(Path(__file__).with_name("screen.kv")))
