"""The window command: `window` opens a window or pauses it with a reason the hall is shown."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Final, Literal

from pydantic import StringConstraints

from content.queue import rules as q
from content.service.commands.base import Args, Context, Outcome, Refusal, parse_args
from content.service.commands.queue import Short, queue_refused, window_name
from content.shared.catalog import N_, domain

_ = domain("service").gettext

PAUSED: Final = N_("Paused")
"""What a paused window shows when no reason is given (in the hall's language: 暂停服务)."""


class WindowArgs(Args):
    window: Short
    state: Literal["open", "pause"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None = None


def window(cx: Context) -> Outcome:
    parsed = parse_args(WindowArgs, cx.args)
    cx.require("window", parsed.window)
    name = window_name(cx.content, parsed.window)
    if parsed.state == "open" and parsed.reason:
        raise Refusal("reason_only_pausing")
    before = q.roll_day(cx.live.queue, cx.now, cx.content.centre.queue)
    reason = (parsed.reason or _(PAUSED)) if parsed.state == "pause" else None
    try:
        queue = q.set_window(before, parsed.window, parsed.state == "open", reason, cx.now)
    except q.QueueError as exc:
        raise queue_refused(exc, cx.content, before, parsed.window) from None
    return Outcome(
        replace(cx.live, queue=queue),
        {"window": parsed.window, "window_name": name, "open": parsed.state == "open", "reason": reason},
    )
