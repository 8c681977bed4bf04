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

STATUS_CHOICES: Final = ("on_duty", "away", "off", "leave")


class ActionRefused(Exception):
    pass


def _call(action: str, window: str, body: dict[str, Any], user: User) -> dict[str, Any]:
    args: dict[str, Any] = {"window": window, "action": action}
    if action == "ticket":
        ticket = str(body.get("ticket", "")).strip().upper()
        if not ticket or len(ticket) > 8:
            raise ActionRefused("请输入要呼叫的号码，如 A012")
        args["ticket"] = ticket
    elif action == "transfer":
        given = [(key, str(body[key]).strip()) for key in ("category", "to_window") if body.get(key)]
        if len(given) != 1 or not given[0][1] or len(given[0][1]) > 64:
            raise ActionRefused("请选择转去的事项类别或窗口")
        args[given[0][0]] = given[0][1]
    return args


def _window(action: str, window: str, body: dict[str, Any], user: User) -> dict[str, Any]:
    if action == "open":
        return {"window": window, "state": "open"}
    reason = str(body.get("reason", "")).strip()
    if not reason or len(reason) > 60:
        raise ActionRefused("暂停服务需要填写原因（60字以内），会向群众公示")
    return {"window": window, "state": "pause", "reason": reason}


def _staff(action: str, window: str, body: dict[str, Any], user: User) -> dict[str, Any]:
    status, staff = str(body.get("status", "")), str(body.get("staff", "") or user.staff_id or "")
    if status not in STATUS_CHOICES:
        raise ActionRefused(f"在岗状态应为：{'、'.join(STATUS_CHOICES)}")
    if not staff:
        raise ActionRefused("这个账号没有对应的工作人员编号，不能设置在岗状态")
    args: dict[str, Any] = {"staff": staff, "status": status}
    substitute = str(body.get("substitute", "")).strip()
    if substitute:
        args["substitute"] = substitute[:64]
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
        raise ActionRefused(f"未知操作 {action[:40]!r}")
    return command.verb, command.args(action, window, body, user)
