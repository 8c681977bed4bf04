"""Where the service's events wait for its loop: a bounded, fair queue.

paho's thread and the file watcher hand events over here; the loop takes them one at a time. Events of
the service's own (connected, the content changed, stop, the clock moved) go first, always, so a stop is
prompt whatever is waiting. Commands wait per account, at most `PER_ACCOUNT` of each, and are taken one
account at a time in turn: an account that floods fills only its own line, and every other account's
next command waits behind at most one of each other account's. A command past its account's line is
shed at once: it is never applied, it costs no memory, and its sender is told so (`busy`) if it asks
again within its own deadline.

Commands at QoS 0 are not taken at all: the broker holds no flow control over them (its limits on
unacknowledged messages count QoS 1 and 2 only), and every sender of this system publishes at QoS 1.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from content.shared import contract
from content.shared.transport import Message

PER_ACCOUNT: Final = 64
"""Commands of one account waiting at once; a kiosk sends one at a time, the console one per click."""
ACCOUNTS: Final = 1024
"""Accounts with commands waiting at once: the broker lets only the roster's accounts publish commands,
so this is never reached but by a fault."""

E = TypeVar("E")


@dataclass(frozen=True)
class Shed:
    """A command not taken: the account it came from, the message (to acknowledge) and why."""

    account: str
    message: Message
    why: str
    """`full` (its account's line is full), `qos0` (sent at QoS 0), `accounts` (too many accounts waiting)."""


class Intake(Generic[E]):
    """The service's events, fair between accounts and bounded. `shed` is called (on the putting thread)
    for each command not taken; it must not block."""

    def __init__(self, shed: Callable[[Shed], None], per_account: int = PER_ACCOUNT, accounts: int = ACCOUNTS) -> None:
        self._shed = shed
        self._per_account = per_account
        self._accounts = accounts
        self._own: deque[E | Message] = deque()
        self._lines: OrderedDict[str, deque[Message]] = OrderedDict()
        self._waiting = 0
        self._ready = threading.Condition()

    def put(self, event: E | Message) -> None:
        """From any thread."""
        sent = contract.command_sender(event.topic) if isinstance(event, Message) else None
        if sent is None or not isinstance(event, Message):
            with self._ready:
                self._own.append(event)
                self._ready.notify()
            return
        account = sent[1]
        shed = None
        with self._ready:
            line = self._lines.get(account)
            if event.qos == 0:
                shed = Shed(account, event, "qos0")
            elif line is None and len(self._lines) >= self._accounts:
                shed = Shed(account, event, "accounts")
            elif line is not None and len(line) >= self._per_account:
                shed = Shed(account, event, "full")
            else:
                if line is None:
                    line = self._lines[account] = deque()
                line.append(event)
                self._waiting += 1
                self._ready.notify()
        if shed is not None:
            self._shed(shed)

    def get(self, timeout: float) -> E | Message | None:
        """The next event: the service's own first, then the command of the next account in turn; None
        if nothing came within `timeout` seconds."""
        with self._ready:
            if not self._ready.wait_for(lambda: self._own or self._waiting, timeout):
                return None
            if self._own:
                return self._own.popleft()
            account, line = next(iter(self._lines.items()))
            message = line.popleft()
            self._waiting -= 1
            if line:
                self._lines.move_to_end(account)  # its next command waits for every other account's
            else:
                del self._lines[account]
            return message

    def empty(self) -> bool:
        with self._ready:
            return not self._own and not self._waiting

    def waiting(self) -> dict[str, int]:
        """Commands waiting, per account (for the operator and the tests)."""
        with self._ready:
            return {account: len(line) for account, line in self._lines.items()}
