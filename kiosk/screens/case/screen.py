"""查询办件: the case number and the applicant's phone digits on a big keypad, then where the case is.

Steps: `number` (the 受理编号 from the acceptance slip, digits only: the service adds the centre's
letters), `digits` (the last four digits of the applicant's phone), `waiting`, then `result` (the case)
or `refused` (not found, locked, too many lookups, no answer). What was typed and what was shown go when
the screen is left (the idle reset goes home) or entered: the next citizen sees none of it.

`show_sample` shows a made-up case marked 样例 (the screenshot tour's) and sends nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from kivy.properties import BooleanProperty, ListProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image

from kiosk.device import CaseResult, CaseView
from kiosk.qr import qr_texture
from kiosk.widgets import KButton, KioskScreen, KLabel, clear_into, load_kv
from kiosk.words import _

MAX_DIGITS: Final = 20
PHONE_DIGITS: Final = 4
CLEAR: Final = _("Clear")
DELETE: Final = _("Delete")
NEXT: Final = _("Next")
BACK: Final = _("Back")
LOOK_UP: Final = _("Look up")
"""The keys and buttons that `press` knows by their text."""
KEYS: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "9", CLEAR, "0", DELETE)
BLANK: Final = "\u3000"  # catalog: data (an ideographic space: an empty line keeps its height)
QR_PX: Final = 360
YELLOW = (1, 0.82, 0.1, 1)
GREY = (0.72, 0.75, 0.8, 1)
AMBER = (1, 0.68, 0.2, 1)
FLAG_COLOURS: Final = {
    "overdue": (0.78, 0.08, 0.08, 1),
    "late": (0.78, 0.08, 0.08, 1),
    "due_soon": (0.8, 0.45, 0, 1),
    "paused": (0.3, 0.38, 0.55, 1),
    "on_time": (0.05, 0.5, 0.25, 1),
}
SAMPLE_COLOUR = (1, 0.35, 0.3, 1)
SAMPLE_MARK: Final = _("Sample · example, not a real case")
SAMPLE_PROMPT: Final = _("Sample screen: this kiosk looked nothing up")
PROMPTS: Final = {
    "number": _("Step 1: type the case number printed on the acceptance slip"),
    "digits": _("Step 2: type the last four digits of the applicant's phone number"),
    "waiting": _("Looking it up, please wait…"),
    "result": _("What we found"),
    "refused": _("The case could not be looked up"),
}


def group_number(digits: str) -> str:
    """261204 0001 as the slip prints it: the date's six digits, then fours (2612040001 → 261204-0001)."""
    if len(digits) <= 6:
        return digits
    rest = digits[6:]
    return "-".join([digits[:6], *(rest[i : i + 4] for i in range(0, len(rest), 4))])


def phone_dots(digits: str) -> str:
    """One ● a digit typed, ○ for those still to come."""
    return " ".join("●" * len(digits) + "○" * (PHONE_DIGITS - len(digits)))


class CaseEntry(KLabel):
    """The big boxed field of what has been typed."""


class CaseBadge(KLabel):
    """A label on a coloured ground: the case's time flag (red when overdue)."""

    bg = ListProperty([0.78, 0.08, 0.08, 1])


class CaseCard(BoxLayout):  # type: ignore[misc]
    """A panel on a lighter ground: the case's facts."""


class CaseStepRow(BoxLayout):  # type: ignore[misc]
    """One entry of the timeline; `last` (the oldest) has no line on down, `current` a yellow dot."""

    last = BooleanProperty(False)
    current = BooleanProperty(False)


class CaseScreen(KioskScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step = "number"
        self.number = ""
        self.digits = ""
        self.message = ""
        """Why the typed entry cannot go on yet (under the entry), or ""."""
        self.result: CaseResult | None = None
        self.sample = False
        self._asked = 0
        """Counts lookups and resets: an answer to an older one (someone who walked away) is dropped."""
        self._entry: CaseEntry | None = None
        self._note: KLabel | None = None
        self._show()

    # -- the steps ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Everything typed and shown goes: the screen is back at its first step."""
        self._asked += 1
        self.step, self.number, self.digits, self.message = "number", "", "", ""
        self.result, self.sample = None, False
        self._show()

    def on_pre_leave(self, *_: Any) -> None:
        self.reset()

    def press(self, key: str) -> None:
        """A key of the keypad or a step's button, by its text."""
        if self.step not in ("number", "digits"):
            return
        field = "number" if self.step == "number" else "digits"
        typed = getattr(self, field)
        limit = MAX_DIGITS if field == "number" else PHONE_DIGITS
        if key == DELETE:
            typed = typed[:-1]
        elif key == CLEAR:
            typed = ""
        elif key.isdigit() and len(key) == 1:
            if len(typed) >= limit:
                if field == "number":
                    self.message = _("A case number has at most {digits} digits").format(digits=MAX_DIGITS)
                else:
                    self.message = _("Only the last four digits are needed")
                self._show_entry()
                return
            typed += key
        elif key == NEXT:
            self.next_step()
            return
        elif key == BACK:
            self.step, self.digits, self.message = "number", "", ""
            self._show()
            return
        elif key == LOOK_UP:
            self.lookup()
            return
        setattr(self, field, typed)
        self.message = ""
        self._show_entry()

    def next_step(self) -> None:
        if not self.number:
            self.message = _("Please type the case number first")
            self._show_entry()
            return
        self.step, self.message = "digits", ""
        self._show()

    def lookup(self) -> None:
        from kivy.app import App

        if len(self.digits) != PHONE_DIGITS:
            self.message = _("Please type the last four digits of the phone number (4 digits)")
            self._show_entry()
            return
        self._asked += 1
        asked = self._asked
        self.step, self.message = "waiting", ""
        self._show()
        App.get_running_app().request_case(self.number, self.digits, lambda r: self._answer(asked, r))

    def _answer(self, asked: int, result: CaseResult) -> None:
        if asked == self._asked and self.step == "waiting":
            self.show_result(result)

    def show_result(self, result: CaseResult) -> None:
        self.result, self.sample = result, False
        self.step = "result" if result.ok and result.case is not None else "refused"
        self.digits = ""  # not kept past the lookup
        self._show()

    def show_sample(self, case: CaseView) -> None:
        """Show `case` as a lookup's answer would be, marked 样例: no command is sent."""
        self._asked += 1
        self.result, self.sample, self.step = CaseResult(True, "", case=case), True, "result"
        self._show()

    def again(self, keep_number: bool = False) -> None:
        """重新查询 (from the start), or back to the digits with the number kept."""
        number = self.number
        self.reset()
        if keep_number and number:
            self.number, self.step = number, "digits"
            self._show()

    # -- what the screen shows ------------------------------------------------------------------

    @staticmethod
    def _landscape() -> bool:
        from kivy.core.window import Window

        return bool(Window.width > Window.height)

    def _entry_text(self) -> tuple[str, int]:
        """What the entry shows and its type size."""
        if self.step == "number":
            shown = group_number(self.number) or BLANK
            return shown, 80 if len(shown) <= 14 else 56
        return phone_dots(self.digits), 80

    def _show_entry(self) -> None:
        """What was typed and the note under it, in place: a key press lays nothing else out anew."""
        if self._entry is None or self._note is None:
            self._show()
            return
        self._entry.text, self._entry.base = self._entry_text()
        self._note.text = self.message or BLANK

    def _show(self) -> None:
        self._entry = self._note = None
        self.ids.prompt.text = SAMPLE_PROMPT if self.sample else PROMPTS[self.step]
        actions: list[tuple[str, Any, str]] = []
        if self.step in ("number", "digits"):
            body = [self._keypad()]
            if self.step == "number":
                actions = [(NEXT, lambda: self.press(NEXT), "primary")]
            else:
                actions = [(BACK, lambda: self.press(BACK), "normal"), (LOOK_UP, self.lookup, "primary")]
        elif self.step == "waiting":
            body = [KLabel(text=_("Asking the service centre where the case is…"), base=44, halign="center")]
        elif self.step == "result" and self.result is not None and self.result.case is not None:
            body = self._case(self.result.case)
            actions = [(_("Look up another"), self.again, "primary")]
        else:
            message = self.result.message if self.result is not None else ""
            body = [KLabel(text=message, base=52, halign="center", color=AMBER, padding=(20, 40))]
            if self.result is not None and self.result.code == "not_found":
                where = _(
                    "The case number is printed on the acceptance slip; "
                    "the phone number is the one given when applying."
                )
                body.append(KLabel(text=where, base=38, halign="center"))
                actions = [
                    (_("Type the phone digits again"), lambda: self.again(keep_number=True), "primary"),
                    (_("Type the case number again"), self.again, "normal"),
                ]
            else:
                actions = [(_("Look up another"), self.again, "primary")]
        clear_into(self.ids.body, body)
        buttons = []
        for text, action, kind in actions:
            button = KButton(text=text, base=48, kind=kind, min_height=140)
            button.bind(on_release=lambda _b, a=action: a())
            buttons.append(button)
        clear_into(self.ids.actions, buttons)
        self.ids.scroll.scroll_y = 1

    def _keypad(self) -> Any:
        """The entry, a hint and the keys; in landscape the keys beside the entry, in portrait below it."""
        landscape = self._landscape()
        if self.step == "number":
            hint = _("Type only the digits of the number, without letters or dashes: for 261204-0001 type 2612040001")
        else:
            hint = _(
                "Case number {number}\nTo protect your privacy, type the last four digits of the phone number given "
                "when applying"
            ).format(number=group_number(self.number))
        shown, size = self._entry_text()
        left = BoxLayout(orientation="vertical", size_hint_y=None, spacing=16, pos_hint={"top": 1})
        left.bind(minimum_height=left.setter("height"))
        left.add_widget(KLabel(text=hint, base=36, color=GREY))
        entry = CaseEntry(text=shown, base=size)
        note = KLabel(text=self.message or BLANK, base=40, color=AMBER, halign="center")
        left.add_widget(entry)
        left.add_widget(note)
        keys = GridLayout(cols=3, size_hint_y=None, spacing=12, pos_hint={"top": 1})
        keys.bind(minimum_height=keys.setter("height"))
        for key in KEYS:
            button = KButton(text=key, base=56 if key.isdigit() else 44, min_height=130)
            button.bind(on_release=lambda _b, k=key: self.press(k))
            keys.add_widget(button)
        row = BoxLayout(orientation="horizontal" if landscape else "vertical", size_hint_y=None, spacing=32)
        row.bind(minimum_height=row.setter("height"))
        row.add_widget(left)
        row.add_widget(keys)
        self._entry, self._note = entry, note
        return row

    def _case(self, case: CaseView) -> list[Any]:
        """The case: its facts and the QR code (beside them in landscape), what is missing, the
        timeline newest first, what was received, whom to call."""
        widgets: list[Any] = []
        if self.sample:
            widgets.append(KLabel(text=SAMPLE_MARK, base=44, halign="center", color=SAMPLE_COLOUR, bold=True))
        card = CaseCard()
        card.add_widget(KLabel(text=_("Case number {number}").format(number=case.number), base=36, color=GREY))
        if case.item:
            card.add_widget(KLabel(text=case.item, base=48, bold=True))
        card.add_widget(KLabel(text=_("Where it is now"), base=34, color=GREY))
        card.add_widget(KLabel(text=case.stage_name, base=96, color=YELLOW, bold=True))
        if case.holder_name:
            card.add_widget(KLabel(text=_("Papers are with: {holder}").format(holder=case.holder_name), base=40))
        if case.deciding_name and case.deciding_name != case.holder_name:
            deciding = _("Deciding office: {office}").format(office=case.deciding_name)
            card.add_widget(KLabel(text=deciding, base=34, color=GREY))
        if case.due_text:
            card.add_widget(KLabel(text=_("Promised by: {due}").format(due=case.due_text), base=40))
        if case.flag_text:
            colour = FLAG_COLOURS.get(case.flag, FLAG_COLOURS["paused"])
            card.add_widget(CaseBadge(text=case.flag_text, base=44, bold=True, bg=colour))
        applicant = _("Applicant: {name}").format(name=case.applicant) if case.applicant else ""
        person = BLANK.join(t for t in (applicant, case.phone) if t)
        if person:
            card.add_widget(KLabel(text=person, base=36, color=GREY))
        if case.opened:
            card.add_widget(KLabel(text=_("Received: {time}").format(time=case.opened), base=34, color=GREY))
        if case.url:
            landscape = self._landscape()
            row = BoxLayout(orientation="horizontal" if landscape else "vertical", size_hint_y=None, spacing=24)
            row.bind(minimum_height=row.setter("height"))
            row.add_widget(card)
            follow = BoxLayout(orientation="vertical", size_hint_y=None, spacing=8, pos_hint={"top": 1})
            follow.bind(minimum_height=follow.setter("height"))
            if landscape:
                follow.size_hint_x, follow.width = None, QR_PX + 80
            box = AnchorLayout(size_hint_y=None, height=QR_PX + 20)
            box.add_widget(Image(texture=qr_texture(case.url), size_hint=(None, None), size=(QR_PX, QR_PX)))
            follow.add_widget(box)
            follow.add_widget(KLabel(text=_("Scan with your phone to follow the case"), base=38, halign="center"))
            row.add_widget(follow)
            widgets.append(row)
        else:
            widgets.append(card)
        if case.missing:
            widgets.append(KLabel(text=_("Papers still needed"), base=48, color=AMBER, bold=True))
            widgets.append(KLabel(text=_("Please bring these papers to a window or to your agent soon:"), base=36))
            widgets += [KLabel(text=f"· {name}", base=40, padding=(24, 0)) for name in case.missing]
        if case.timeline:
            widgets.append(KLabel(text=_("Progress"), base=48, bold=True))
            steps = list(reversed(case.timeline))  # the newest first
            for index, step in enumerate(steps):
                widgets.append(self._step(step, current=index == 0, last=index == len(steps) - 1))
        if case.received:
            widgets.append(KLabel(text=_("Papers received"), base=44, bold=True))
            widgets += [KLabel(text=f"· {name}", base=36, color=GREY, padding=(24, 0)) for name in case.received]
        if case.contacts:
            widgets.append(KLabel(text=_("Phone numbers"), base=44, bold=True))
            widgets += [
                KLabel(text=_("{label}: {phone}").format(label=c.label, phone=c.phone), base=40) for c in case.contacts
            ]
        return widgets

    @staticmethod
    def _step(step: Any, *, current: bool, last: bool) -> CaseStepRow:
        row = CaseStepRow(current=current, last=last)
        info = row.ids.info
        where = BLANK.join(t for t in (step.when, step.tier_name) if t)
        if where:
            info.add_widget(KLabel(text=where, base=32, color=GREY))
        info.add_widget(KLabel(text=step.name, base=44, bold=True, color=YELLOW if current else (1, 1, 1, 1)))
        if step.note:
            info.add_widget(KLabel(text=step.note, base=36))
        if step.basis:
            info.add_widget(KLabel(text=_("Basis: {basis}").format(basis=step.basis), base=32, color=GREY))
        return row


load_kv(str(Path(__file__).with_name("screen.kv")))
