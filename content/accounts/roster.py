"""The roster: the hall's broker accounts, the role of each, and for a staff account what it acts for.

One file (`broker_config/roster.example.yaml`) says both what the broker lets an account publish and read
(`content.broker.config` turns it into the ACL) and what the service lets it do with a command
(`content.accounts.acting`). A staff account is tied to one window (`window: <id>`), to the centre's
office (`office: true`), or to neither: then it only looks (a district's supervision screen, the staff
console's own account, whose commands act for the person named in them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from content.shared.catalog import domain
from content.shared.yamlfile import Problem, load_yaml, validate_model

_ = domain("service").gettext

Role = Literal["service", "staff", "kiosk", "display", "bridge"]
# No "." in an account's name: a client id is `<account>` or `<account>.<run>`, so one account can
# never name a client id of another.
User = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
CentreId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
WindowId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
"""A window's id, as in the centre's `centre.yaml`."""


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    user: User
    role: Role
    centre: CentreId | None = None
    """The centre this account belongs to; defaults to the roster's centre."""
    parent: CentreId | None = None
    """For a bridge account: the parent (district) centre whose content flows down."""
    window: WindowId | None = None
    """For a staff account: the window it acts for, and no other (a window's own PC or tool)."""
    office: bool = False
    """For a staff account: the centre's office, which acts for every window (never approves, never reads
    an applicant's name and phone: those are a person's, through the console)."""

    @model_validator(mode="after")
    def _desk(self) -> Account:
        if (self.window is not None or self.office) and self.role != "staff":
            raise ValueError(
                _("{user}: only a staff account is tied to a window or to the office").format(user=self.user)
            )
        if self.window is not None and self.office:
            raise ValueError(
                _("{user}: a staff account acts for one window or for the office, not both").format(user=self.user)
            )
        return self


class Roster(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    centre: CentreId
    accounts: list[Account] = Field(min_length=1)

    def account(self, user: str, centre: str) -> Account | None:
        """The account `user` of centre `centre` (an account names its centre, or is the roster's)."""
        for account in self.accounts:
            if account.user == user and (account.centre or self.centre) == centre:
                return account
        return None


def read_roster(path: Path) -> tuple[Roster | None, list[Problem]]:
    """The roster in the YAML file `path`, or the problems that keep it from being one (file:line)."""
    data, located, problems = load_yaml(path)
    if problems:
        return None, problems
    return validate_model(Roster, data, located)
