"""Whom a command acts for, as the service finds it: the sender (the account in the command's topic) in the
roster, or the person the console's account names in the console's users file. The handlers then ask
what that one may do (`Context.require`, by `content.accounts.acting`).

Without a roster the service cannot tell a staff account from any other: on a broker with accounts every
sender is then unknown and may only take numbers and look up cases (it is not given everything by
default); on a broker without accounts (the demo's embedded one) nobody can be told apart, so no rule of
the roster could hold, and every command goes through as before.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from content.accounts.acting import Acting, acting
from content.accounts.roster import Roster
from content.accounts.users import User
from content.service.commands.base import Refusal
from content.shared import contract
from content.shared.catalog import domain

log = logging.getLogger("hall.service")
_ = domain("service").gettext


class Users(Protocol):
    """The console's users (`content.accounts.users.UserStore`, or a test's)."""

    def get(self, name: str) -> User | None: ...


class Senders:
    """`roster`: the accounts (None: none given); `users`: the console's logins; `console_accounts`: the
    accounts whose commands may name a person; `accounts`: whether the broker has accounts at all."""

    def __init__(
        self, roster: Roster | None, users: Users | None, console_accounts: frozenset[str], *, accounts: bool
    ) -> None:
        self.roster, self.users, self.console_accounts, self.accounts = roster, users, console_accounts, accounts
        self._checked: tuple[str, str, User] | None = None
        """The person the last `check_person` found, for `acting` on the same command."""
        if roster is None and accounts:
            log.error(
                _(
                    "no roster (hall serve --roster FILE, or $HALL_ROSTER): no account's rights are known, so only"
                    " numbers and case lookups are taken; every other command is refused"
                )
            )
        elif roster is None:
            log.warning(_("the broker has no accounts: senders cannot be told apart, so no right is checked"))

    def check_person(self, sender: str, person: Any) -> None:
        """Refuse a `person` from anyone but the console's account, one not a login name, and one that is not
        an enabled user of the console's users file."""
        self._checked = None
        if person is None:
            return
        if sender not in self.console_accounts:
            raise Refusal("person_not_console")
        if not isinstance(person, str) or contract.PERSON.fullmatch(person) is None:
            raise Refusal("bad_person")
        user = self.users.get(person) if self.users is not None else None
        if user is None or user.disabled:
            raise Refusal("unknown_person", person=person)
        self._checked = (sender, person, user)

    def acting(self, sender: str, person: str | None, centre: str) -> Acting:
        """Whom a command of `sender` naming `person` (checked by `check_person` first) acts for."""
        if person is not None:
            checked = self._checked
            if checked is None or checked[:2] != (sender, person):
                return Acting(sender, "unknown")
            return acting(sender, self.roster, centre, person=checked[2])
        if self.roster is None and not self.accounts:
            return Acting(sender, "open")
        return acting(sender, self.roster, centre)
