"""The roster's model (`content.accounts.roster`): what a staff account is tied to, and reading the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from content.accounts.roster import Account, Roster, read_roster
from tests.conftest import REPO
from tests.words import english


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"user": "kiosk-1", "role": "kiosk", "window": "zonghe"}, "只有角色为 staff 的账号才能对应"),
        ({"user": "led", "role": "display", "office": True}, "只有角色为 staff 的账号才能对应"),
        ({"user": "both", "role": "staff", "window": "zonghe", "office": True}, "不能两者都设"),
        ({"user": "x", "role": "staff", "window": "Zonghe"}, "window"),
    ],
)
def test_only_a_staff_account_is_tied_to_one_window_or_the_office(given: dict[str, object], said: str) -> None:
    with pytest.raises(ValidationError, match=said):
        Account.model_validate(given)


def test_an_account_is_found_in_its_own_centre() -> None:
    roster = Roster(
        centre="youxian",
        accounts=[Account(user="watch", role="staff", centre="weicheng"), Account(user="staff", role="staff")],
    )
    assert roster.account("watch", "weicheng") is roster.accounts[0]
    assert roster.account("watch", "youxian") is None
    assert roster.account("staff", "youxian") is roster.accounts[1]


def test_the_example_roster_ties_its_staff_accounts(tmp_path: Path) -> None:
    roster, problems = read_roster(REPO / "broker_config" / "roster.example.yaml")
    assert problems == [] and roster is not None
    staff = {a.user: a for a in roster.accounts if a.role == "staff"}
    assert staff["staff-zonghe"].window == "zonghe" and staff["staff-office"].office
    bad = tmp_path / "roster.yaml"
    bad.write_text("centre: weicheng\naccounts:\n  - {user: k, role: kiosk, office: true}\n", encoding="utf-8")
    roster, problems = read_roster(bad)
    said = str(problems[0])
    assert roster is None and said.startswith(f"{bad}:3") and "k：只有角色为 staff 的账号才能对应" in said
    assert english(said, ["staff", "office", "window"]) == [], said  # the roster's own keys, as the file names them
