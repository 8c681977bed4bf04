"""The staff console's today page (`/console/today`, tab 今日统计): the queue's figures of a service day per
category, window and staff member, with bar charts, following the hall while it is today, and as CSV.

The figures are the service's own `stats` query (the same as `hall stats`), asked as the console's account
naming the person; one answer a day is kept for `CACHE_S`, so many open consoles polling at once ask the
service once. When the service does not answer for today, the retained `stats` document (rebuilt by the
service at most every ten seconds) stands in, and the page says so. Everything the service sends is read
as untrusted: each value's type is checked and bounded, and the page sets every value as text.

The CSV (`/console/today.csv?date=YYYY-MM-DD`) has the columns of `hall stats --csv`, in UTF-8 with a BOM
(Excel then reads the hanzi), and a text cell starting with = + - @ (or a tab or carriage return) gets a
leading ' so that a spreadsheet shows it rather than runs it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from flask import Response, request

from content.queue.stats import csv_text
from content.shared.catalog import N_, domain
from content.shared.wire.stats import Figures, clean_text, read_figures
from content.web.console import reading
from content.web.console.base import Asked, Console, Route, text_refusal

_ = domain("console").gettext

ROLES: Final = frozenset({"staff", "manager", "supervisor"})
CACHE_S: Final = 2.0
"""An answer of the service is shown for this long before it is asked again."""
ASK_TIMEOUT_S: Final = 5.0
POLL_MS: Final = 5000
MAX_CACHED: Final = 32
"""Days whose answers are kept at once (today and the past days people are looking at)."""
DAY: Final = reading.DAY
CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")


class BadDate(ValueError):
    pass


def parse_day(text: str | None, today: date | None) -> date | None:
    """The date asked for (None: the service's day), or BadDate saying what is wrong."""
    if text is None or text == "":
        return None
    wrong = _("The date {given} is not in the right form: YYYY-MM-DD, such as 2024-05-01").format(given=repr(text[:20]))
    if len(text) != 10 or DAY.fullmatch(text) is None:
        raise BadDate(wrong)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadDate(_("There is no such day: {given} (YYYY-MM-DD)").format(given=text)) from None
    if day.year < 2000:
        raise BadDate(_("That date is too early: the figures begin in 2000"))
    if today is not None and day > today:
        raise BadDate(
            _("{given} has not come yet: the figures are of today ({today}) and the days before").format(
                given=text, today=today.isoformat()
            )
        )
    return day


@dataclass(frozen=True)
class Answer:
    figures: Figures | None
    error: str | None = None
    source: str = "service"


class StatsCache:
    """The service's answer per day, kept for `ttl` seconds; one question a day at a time, so browsers
    asking together wait for the one answer. A failure is kept as long, so a silent service is not
    asked by every browser in turn."""

    def __init__(self, ask: Callable[[date | None, str], Answer], clock: Callable[[], float], ttl: float) -> None:
        self._ask, self._clock, self._ttl = ask, clock, ttl
        self._lock = threading.Lock()
        self._answers: dict[str, tuple[float, Answer]] = {}
        self._asking: dict[str, threading.Lock] = {}

    def get(self, day: date | None, person: str) -> Answer:
        key = day.isoformat() if day else ""
        with self._lock:
            held = self._fresh(key)
            if held is not None:
                return held
            if len(self._asking) > MAX_CACHED:
                self._asking = {k: v for k, v in self._asking.items() if v.locked()}
            asking = self._asking.setdefault(key, threading.Lock())
        with asking:
            with self._lock:
                held = self._fresh(key)
            if held is not None:
                return held
            answer = self._ask(day, person)
            with self._lock:
                now = self._clock()
                self._answers = {k: v for k, v in self._answers.items() if now - v[0] < self._ttl}
                if len(self._answers) >= MAX_CACHED:
                    self._answers.pop(min(self._answers, key=lambda k: self._answers[k][0]))
                self._answers[key] = (now, answer)
            return answer

    def _fresh(self, key: str) -> Answer | None:
        held = self._answers.get(key)
        return held[1] if held is not None and self._clock() - held[0] < self._ttl else None


def ask_service(console: Console) -> Callable[[date | None, str], Answer]:
    def ask(day: date | None, person: str) -> Answer:
        args = {"date": day.isoformat()} if day else {}
        reply = console.link.ask("stats", args, person, timeout=ASK_TIMEOUT_S)
        if not isinstance(reply, dict) or not reply.get("ok"):
            said = reply.get("error") if isinstance(reply, dict) else None
            return Answer(None, clean_text(said, 200) or _("the service gave no figures"))
        figures = read_figures(reply.get("result"))
        if figures is None:
            return Answer(None, _("the figures the service sent are not in the right form"))
        if day is not None and figures.day != day.isoformat():
            return Answer(
                None,
                _("the service sent the figures of {sent}, not of {asked}").format(
                    sent=figures.day, asked=day.isoformat()
                ),
            )
        return Answer(figures)

    return ask


def figures_json(figures: Figures) -> dict[str, Any]:
    return {"day": figures.day, "total": figures.total, "groups": figures.groups}


def guarded(value: Any) -> str:
    """A cell as text a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA) else text


def figures_csv(figures: Figures) -> bytes:
    """The figures as `hall stats --csv` writes them (`content.queue.stats.csv_text`): a BOM, the headings
    and the groups in the hall's language, no cell a spreadsheet would run."""
    return csv_text([{**row, "group": group} for group, row in figures.rows()]).encode("utf-8")


class Today:
    """The tab's routes, with the service's answers kept a day at a time."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.cache = StatsCache(ask_service(console), console.clock, CACHE_S)

    def routes(self) -> list[Route]:
        return [
            Route("/console/today", self.page, login="page"),
            Route("/console/today.json", self.figures),
            Route(
                "/console/today.csv",
                self.csv,
                refuse=text_refusal,
                expired=N_("Your login has expired: log in again to export"),
            ),
        ]

    def _today(self) -> date | None:
        return reading.service_day(self.console.link.state()[1])

    def answer_for(self, day: date | None, person: str) -> Answer:
        answer = self.cache.get(day, person)
        today = self._today()
        if answer.figures is None and (day is None or day == today):
            retained = read_figures(self.console.link.state()[1].get("stats"))
            if retained is not None and (today is None or retained.day == today.isoformat()):
                return Answer(retained, answer.error, "document")
        return answer

    def page(self, asked: Asked) -> Response:
        today = self._today()
        boot = {
            "date": request.args.get("date", "")[:10],
            "today": today.isoformat() if today else None,
            "poll_ms": POLL_MS,
        }
        return self.console.page("console_today.html", boot=boot)

    def figures(self, asked: Asked) -> Response:
        today = self._today()
        try:
            day = parse_day(request.args.get("date"), today)
        except BadDate as exc:
            return self.console.refuse(400, str(exc))
        answer = self.answer_for(day, asked.user.name)
        if answer.figures is None:
            return self.console.refuse(503, _("The figures cannot be had just now: {why}").format(why=answer.error))
        body = {
            "ok": True,
            **figures_json(answer.figures),
            "today": today.isoformat() if today else None,
            "source": answer.source,
            "note": _(
                "The service is not answering just now: these are the figures the hall last published (every 10 s)"
            )
            if answer.source == "document"
            else "",
            "poll_ms": POLL_MS,
        }
        return self.console.json(body)

    def csv(self, asked: Asked) -> Response:
        console = self.console
        try:
            day = parse_day(request.args.get("date"), self._today())
        except BadDate as exc:
            return text_refusal(console, 400, str(exc))
        answer = self.answer_for(day, asked.user.name)
        if answer.figures is None:
            return text_refusal(
                console,
                503,
                _("The figures cannot be had just now: export again later ({why})").format(why=answer.error),
            )
        response = console.secured(Response(figures_csv(answer.figures), mimetype="text/csv"))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = f'attachment; filename="queue-stats-{answer.figures.day}.csv"'
        return response


def add(console: Console) -> None:
    """The tab, its script and its style."""
    console.nav.append(("/console/today", N_("Today's figures"), ROLES))
    console.scripts += ["console_today.js", "console_today.css"]
    console.add(Today(console).routes())
