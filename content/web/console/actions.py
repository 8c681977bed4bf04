"""The window page's actions, under the service's own names: each is one service command.

The queue's actions are the `call` command's (`content.service.commands.queue`, `hall call`): next,
recall, no_show, ticket (a given number), transfer (to a `category` or `to_window`), done; a window's are
the `window` command's states, pause and open; an on-duty status is the `staff` command. `ACTIONS` is the
one table: the command each action is, and what a person must be allowed to send it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from content.accounts.users import Action, User
from content.shared import graphemes
from content.shared.catalog import domain

_ = domain("console").gettext

STATUS_CHOICES: Final = ("on_duty", "away", "off", "leave")
MAX_REASON: Final = 60
"""A pause's reason, in characters a reader counts (the service's own limit)."""
MAX_TICKET: Final = 8
MAX_NAME: Final = 64


class ActionRefused(Exception):
    pass


def _call(action: str, window: str, body: dict[str, Any], user: User) -> dict[str, Any]:
    args: dict[str, Any] = {"window": window, "action": action}
    if action == "ticket":
        ticket = str(body.get("ticket", "")).strip().upper()
        if not ticket or graphemes.length(ticket) > MAX_TICKET:
            raise ActionRefused(_("Enter the number to call, such as A012"))
        args["ticket"] = ticket  # its form is the service's to judge: its own sentence says what is wrong
    elif action == "transfer":
        given = [(key, str(body[key]).strip()) for key in ("category", "to_window") if body.get(key)]
        if len(given) != 1 or not given[0][1] or len(given[0][1]) > MAX_NAME:
            raise ActionRefused(_("Choose the category or the window to transfer to"))
        args[given[0][0]] = given[0][1]
    return args


def _window(action: str, window: str, body: dict[str, Any], user: User) -> dict[str, Any]:
    if action == "open":
        return {"window": window, "state": "open"}
    reason = str(body.get("reason", "")).strip()
    if not reason or graphemes.length(reason) > MAX_REASON:
        raise ActionRefused(
            _("A pause needs a reason of at most {most} characters: the hall is shown it").format(most=MAX_REASON)
        )
    return {"window": window, "state": "pause", "reason": reason}


def _staff(action: str, window: str, body: dict[str, Any], user: User) -> dict[str, Any]:
    status, staff = str(body.get("status", "")), str(body.get("staff", "") or user.staff_id or "")
    if status not in STATUS_CHOICES:
        raise ActionRefused(_("The status should be on duty, away, off duty or on leave"))
    if not staff:
        raise ActionRefused(_("This account has no staff number, so it cannot set an on-duty status"))
    args: dict[str, Any] = {"staff": staff, "status": status}
    substitute = str(body.get("substitute", "")).strip()
    if substitute:
        args["substitute"] = graphemes.cut(substitute, MAX_NAME, mark="")
    return args


@dataclass(frozen=True)
class Command:
    """An action as the service takes it: its command verb, what a person must be allowed, its arguments."""

    verb: str
    permission: Action
    args: Callable[[str, str, dict[str, Any], User], dict[str, Any]]


ACTIONS: Final = {
    "next": Command("call", "call", _call),
    "recall": Command("call", "call", _call),
    "no_show": Command("call", "call", _call),
    "ticket": Command("call", "call", _call),
    "transfer": Command("call", "call", _call),
    "done": Command("call", "call", _call),
    "pause": Command("window", "window", _window),
    "open": Command("window", "window", _window),
    "staff": Command("staff", "status", _staff),
}


def command_for(action: str, window: str, body: dict[str, Any], user: User) -> tuple[str, dict[str, Any]]:
    """The service command an action is, or ActionRefused saying what is wrong with it."""
    command = ACTIONS.get(action)
    if command is None:
        raise ActionRefused(_("Unknown action {action}").format(action=repr(action[:40])))
    return command.verb, command.args(action, window, body, user)
