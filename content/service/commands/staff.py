"""The staff command: `staff` sets a staff member's status (on duty, away, off, on leave) and who
stands in for them."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from pydantic import StringConstraints

from content.centre.schema import StaffStatus
from content.service.commands.base import Args, Context, Outcome, Refusal, parse_args
from content.service.live import StaffState

StaffId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class StaffArgs(Args):
    staff: StaffId
    status: StaffStatus
    substitute: StaffId | None = None


def set_staff_status(cx: Context) -> Outcome:
    parsed = parse_args(StaffArgs, cx.args)
    known = {member.id: member for member in cx.content.staff}
    if parsed.staff not in known:
        raise Refusal("no_staff", staff=parsed.staff)
    cx.require("status", known[parsed.staff].window, staff=parsed.staff)  # window staff: their own only
    if parsed.substitute is not None:
        if parsed.status == "on_duty":
            raise Refusal("substitute_when_away")
        if parsed.substitute not in known:
            raise Refusal("no_substitute", staff=parsed.substitute)
        if parsed.substitute == parsed.staff:
            raise Refusal("self_substitute")
    state = StaffState(parsed.status, cx.now, cx.sender, parsed.substitute)
    result = {
        "staff": parsed.staff,
        "name": known[parsed.staff].name,
        "status": state.status,
        "since": cx.now.isoformat(timespec="seconds"),
        "substitute": state.substitute,
    }
    return Outcome(replace(cx.live, staff={**cx.live.staff, parsed.staff: state}), result)
