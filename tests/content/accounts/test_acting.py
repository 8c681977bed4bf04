"""Who a command acts for and what they may do (`content.accounts.acting`): the console's people by their
role, the roster's staff accounts by what they are tied to, everyone else by nothing. Pure: no broker."""

from __future__ import annotations

import pytest

from content.accounts.acting import OPEN, Acting, acting, may_act
from content.accounts.roster import Account, Roster
from content.accounts.users import ACTIONS, Action, User, may

ROSTER = Roster(
    centre="weicheng",
    accounts=[
        Account(user="service", role="service"),
        Account(user="staff-office", role="staff", office=True),
        Account(user="staff-zonghe", role="staff", window="zonghe"),
        Account(user="console", role="staff"),
        Account(user="kiosk-1", role="kiosk"),
        Account(user="led-wall", role="display"),
        Account(user="staff-dg", role="staff", centre="dongguan", office=True),
    ],
)
CLERK = User("li.na", "staff", window="shebao", staff_id="s05")
MANAGER = User("boss", "manager")
SUPERVISOR = User("jiancha", "supervisor")


def test_each_account_of_the_roster_acts_for_what_it_is_tied_to() -> None:
    assert acting("staff-office", ROSTER, "weicheng").desk == "office"
    window = acting("staff-zonghe", ROSTER, "weicheng")
    assert (window.desk, window.window, window.person) == ("window", "zonghe", None)
    assert acting("console", ROSTER, "weicheng").desk == "watch"  # alone, the console's account only looks
    assert acting("kiosk-1", ROSTER, "weicheng").desk == "device"
    assert acting("led-wall", ROSTER, "weicheng").desk == "device"
    assert acting("service", ROSTER, "weicheng").desk == "device"
    assert acting("nobody", ROSTER, "weicheng").desk == "unknown"
    assert acting("staff-dg", ROSTER, "weicheng").desk == "unknown"  # another centre's office is not this one's
    assert acting("staff-dg", ROSTER, "dongguan").desk == "office"
    assert acting("staff-office", None, "weicheng").desk == "unknown"  # no roster: nobody is known


def test_a_console_person_acts_for_themselves() -> None:
    who = acting("console", ROSTER, "weicheng", person=CLERK)
    assert (who.desk, who.person, who.window, who.name) == ("person", "li.na", "shebao", "li.na")
    assert acting("console", ROSTER, "weicheng", person=User("x", "manager", disabled=True)).desk == "unknown"


@pytest.mark.parametrize("action", ACTIONS)
def test_a_person_may_what_the_consoles_table_says(action: Action) -> None:
    for user in (CLERK, MANAGER, SUPERVISOR):
        who = acting("console", ROSTER, "weicheng", person=user)
        for window in ("shebao", "zonghe", None):
            assert may_act(who, action, window) is may(user, action, window), (user.name, action, window)
    assert may_act(acting("console", ROSTER, "weicheng", person=CLERK), "status", "shebao", staff="s05")
    assert not may_act(acting("console", ROSTER, "weicheng", person=CLERK), "status", "shebao", staff="s06")


_ACCOUNTS: dict[str, set[Action]] = {
    # what each account may do on the window zonghe; on shebao the window's account may only view and work cases
    "staff-office": {"view", "call", "window", "status", "announce", "cases"},
    "staff-zonghe": {"view", "call", "window", "status", "announce", "cases", "personal"},
    "console": {"view"},
    "kiosk-1": set(),
    "led-wall": set(),
    "service": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("account", sorted(_ACCOUNTS))
def test_what_each_account_may(account: str) -> None:
    who = acting(account, ROSTER, "weicheng")
    assert {a for a in ACTIONS if may_act(who, a, "zonghe")} == _ACCOUNTS[account]
    on_shebao = {a for a in ACTIONS if may_act(who, a, "shebao")}
    if account == "staff-zonghe":
        assert on_shebao == {"view", "announce", "cases"}
    else:
        assert on_shebao == _ACCOUNTS[account]


def test_no_account_approves_or_reads_every_applicant() -> None:
    for account in _ACCOUNTS:
        who = acting(account, ROSTER, "weicheng")
        assert not may_act(who, "approve") and not may_act(who, "users") and not may_act(who, "audit")
        assert not may_act(who, "personal", None)  # a case no window received (an agent's)
    # A window's account reads the applicants of its own window's cases, for any of its staff's status.
    window = acting("staff-zonghe", ROSTER, "weicheng")
    assert may_act(window, "personal", "zonghe") and not may_act(window, "personal", "shebao")
    assert may_act(window, "status", "zonghe", staff="s03") and may_act(window, "status", "zonghe", staff="s04")


def test_anyone_on_a_broker_without_accounts() -> None:
    assert all(may_act(OPEN, action, "zonghe") for action in ACTIONS)
    assert may_act(Acting("anon-1", "open"), "approve")
