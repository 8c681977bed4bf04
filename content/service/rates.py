"""How often one account may change the hall: a budget a minute per kind of command (`rates` in
centre.yaml), and a share a minute of what the log and the audit log say about one account.

The staff console acts for many people through one account, so its budget is counted per person: one
clerk's runaway clicking does not stop the windows beside them. Budgets are token buckets on the service's
clock: a full minute's budget may be spent at once, then it comes back evenly; a clock stepped back
gives nothing back and takes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Final

from content.centre.schema import RateSettings
from content.shared.catalog import N_, domain
from content.shared.wording import Words

log = logging.getLogger("hall.service")
_ = domain("service").gettext

WORDS: Final = Words(
    {
        "call": N_("calls"),
        "window": N_("window changes"),
        "staff": N_("status changes"),
        "announce": N_("announcement changes"),
        "case": N_("case changes"),
        "ask": N_("questions"),
        "ticket": N_("numbers taken"),
        "all": N_("commands"),
    },
    _,
)
"""Each budget's kind of command, as the refusal `too_fast` names it."""
BUCKETS: Final = 4096
"""Budgets kept at once; the longest unused (then full again) go first."""


def per_minute(settings: RateSettings, group: str) -> int:
    most: int = getattr(settings, group)
    return most


class Rates:
    """The budgets of every account (and the console's every person)."""

    def __init__(self, settings: RateSettings, buckets: int = BUCKETS) -> None:
        self.settings = settings
        self._buckets: OrderedDict[tuple[str, str, str], tuple[float, datetime]] = OrderedDict()
        self._most = buckets

    def take(self, account: str, person: str | None, group: str, now: datetime) -> tuple[str, int] | None:
        """Spend one command from budget `group` (its `Command.budget`) and from `all`, of `account` (and
        `person`); None if it may go on, else the budget it is over and its size a minute (nothing is spent
        then)."""
        keys = [(account, person or "", group), (account, person or "", "all")]
        levels = [self._level(key, now) for key in keys]
        for key, level in zip(keys, levels, strict=True):
            if level < 1:
                return key[2], per_minute(self.settings, key[2])
        for key, level in zip(keys, levels, strict=True):
            self._buckets[key] = (level - 1, now)
            self._buckets.move_to_end(key)
        while len(self._buckets) > self._most:
            self._buckets.popitem(last=False)
        return None

    def _level(self, key: tuple[str, str, str], now: datetime) -> float:
        most = per_minute(self.settings, key[2])
        found = self._buckets.get(key)
        if found is None:
            return float(most)
        level, since = found
        elapsed = max(0.0, (now - since).total_seconds())
        return min(float(most), level + elapsed * most / 60)


class MinuteShare:
    """How many things of each account (a refused command recorded, a log line) were let through this
    minute: at most `most`; the rest are counted, and said once, in one line, when the minute turns.
    Safe from any thread."""

    def __init__(self, what: str, most: int) -> None:
        """`what`: the line said of an account past its share, an id with {account} and {count}."""
        self._what = what
        self._most = most
        self._lock = threading.Lock()
        self._minute: datetime | None = None
        self._passed: dict[str, int] = {}
        self._held: dict[str, int] = {}

    def take(self, account: str, now: datetime) -> bool:
        """Whether this one goes through; False past the minute's share."""
        minute = now.replace(second=0, microsecond=0)
        with self._lock:
            if minute != self._minute:
                held, self._held = self._held, {}
                self._minute, self._passed = minute, {}
            else:
                held = {}
            passed = self._passed.get(account, 0)
            if passed < self._most:
                self._passed[account] = passed + 1
                went = True
            else:
                self._held[account] = self._held.get(account, 0) + 1
                went = False
        for who, count in held.items():
            log.warning(_(self._what).format(account=who, count=count))
        return went
