"""The statistics command: `stats` answers a day's tickets per category and window, and the on-time
completion of the cases decided in the days up to it (`hall stats`, the console's export)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from content.service import documents
from content.service.commands.base import Args, Context, Outcome, parse_args
from content.service.commands.cases import on_time

CASE_STATS_DAYS = 30
"""`hall stats` gives the on-time completion of the cases decided in this many days up to its day."""


class StatsArgs(Args):
    date: Annotated[dt.date, Field(strict=False)] | None = None  # "YYYY-MM-DD" from JSON


def stats(cx: Context) -> Outcome:
    parsed = parse_args(StatsArgs, cx.args)
    cx.require("view")
    desk, queue = cx.case_desk(), cx.live.queue
    day = parsed.date or queue.day
    assert day is not None
    tickets = list(queue.tickets.values()) if day == queue.day else desk.store.tickets(day)
    since = day - dt.timedelta(days=CASE_STATS_DAYS - 1)
    return cx.answer({
        "day": day.isoformat(),
        "rows": documents.stats_rows(cx.content, tickets),
        "cases_since": since.isoformat(),
        "cases": on_time(desk, since),
    })  # fmt: skip
