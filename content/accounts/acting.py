"""Who a command acts for, and what they may do: a person logged in to the staff console (their role, from
the users file), or an account of the roster (a window's, the office's, a device's). Pure: the service
finds the account and the person, and asks `may_act` before it applies a command.

One table for both, `content.accounts.users.may`, which the console checks for its own pages too, so the
console and the service agree:

| who                                  | may                                                                  |
|--------------------------------------|----------------------------------------------------------------------|
| a console person                     | what their role may (`may`), on their own window if they are staff  |
| a staff account with `window: <id>`  | what window staff may, on that window, for every staff member of it  |
| a staff account with `office: true`  | view, call, window, status and announce on every window, and cases;  |
|                                      | never approve, nor read an applicant's name and phone                |
| any other staff account              | view only                                                            |
| a kiosk, display, service or bridge  | nothing that needs a right (a number and a case lookup need none)    |
| an account not in the roster         | the same                                                             |
| anyone, on a broker without accounts | everything: no one can be told apart there, so no rule can hold      |

No account approves an announcement: with approval on, an account's announcement waits for a manager,
who approves it in the console under their own name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from content.accounts.roster import Roster
from content.accounts.users import Action, User, may

Desk = Literal["person", "window", "office", "watch", "device", "unknown", "open"]
"""What a command acts for: a console person; a staff account's window, the office, or nothing (it only
looks); an account that is not staff; an account the roster does not list; or anyone (no accounts)."""

OFFICE: Final[frozenset[Action]] = frozenset({"view", "call", "window", "status", "announce", "cases"})
"""What the office's account may do, on every window."""


@dataclass(frozen=True)
class Acting:
    account: str
    """The broker account in the command's topic."""
    desk: Desk
    user: User | None = None
    """The console person; for a window's account, the account as a staff user of that window."""

    @property
    def person(self) -> str | None:
        """The console login acting, recorded beside the account."""
        return self.user.name if self.desk == "person" and self.user is not None else None

    @property
    def window(self) -> str | None:
        """The window this one acts for alone (window staff, a window's account); None: every window or none."""
        return self.user.window if self.user is not None and self.user.role == "staff" else None

    @property
    def name(self) -> str:
        """Who, in a refusal's sentence: the person, else the account."""
        return self.person or self.account


OPEN: Final = Acting("", "open")
"""Anyone, where no one can be told apart (a broker without accounts)."""


def acting(account: str, roster: Roster | None, centre: str, *, person: User | None = None) -> Acting:
    """Who a command of `account` (of centre `centre`) acts for. `person`: the enabled console user the
    command names, believed only from the console's account (the caller checks that). Without a roster
    every account is unknown: the caller decides whether that means a broker without accounts (`OPEN`)."""
    if person is not None:
        return Acting(account, "person" if not person.disabled else "unknown", person)
    found = roster.account(account, centre) if roster is not None else None
    if found is None:
        return Acting(account, "unknown")
    if found.role != "staff":
        return Acting(account, "device")
    if found.window is not None:
        return Acting(account, "window", User(account, "staff", window=found.window))
    return Acting(account, "office" if found.office else "watch")


def may_act(who: Acting, action: Action, window: str | None = None, *, staff: str | None = None) -> bool:
    """Whether `who` may do `action` (on `window`; for `status`, for staff member `staff`): the table above."""
    match who.desk:
        case "open":
            return True
        case "person":
            assert who.user is not None
            return may(who.user, action, window, staff=staff)
        case "window":
            assert who.user is not None
            return may(who.user, action, window)  # no staff id: the window's account acts for all of its staff
        case "office":
            return action in OFFICE
        case "watch":
            return action == "view"
    return False
