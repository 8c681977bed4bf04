"""The kiosk as a device on the bus (`content.shared.device_link`): its model, its media, and its two
commands.

The link's worker applies what arrives to the model (parsing, and building the search index when the
catalog rev changes, stay off the UI thread), stores good payloads on disk and then calls `on_change`,
which a Kivy app sets to a `Clock.create_trigger(...)`: safe to call from any thread. On the main thread
the trigger's callback calls `poll()`, which returns the latest model, an immutable value.

Commands (`take_ticket`, `lookup_case`) run `content.shared.client.send_command` on a small executor and
give back a Future whose result is always a value with a message for the screen; their
`callback`, when given, runs on the executor's thread, so a screen hands it to the main thread
(`Clock.schedule_once`).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from content.shared.broker_url import BrokerUrl
from content.shared.client import CommandFailed, NoReply, send_command
from content.shared.contract import read_int, read_text
from content.shared.device_link import DeviceLink
from content.shared.transport import DEVICE_KEEPALIVE_S
from kiosk.cache import KioskCache, is_sha256
from kiosk.model import DOCUMENTS, SERVICE_PRESENCE, KioskModel
from kiosk.words import _

log = logging.getLogger("hall.kiosk")
_R = TypeVar("_R")

TOPICS: Final = (*DOCUMENTS, "media/+", SERVICE_PRESENCE)
PRESENCE_REVS: Final = ("centre", "catalog", "staff", "agents")
"""A change of these revs is worth a new presence message; queue and announcements change too often."""

NO_ANSWER: Final = _(
    "The service cannot be reached just now: please try again later, or take a number at the general window"
)
TICKET_REFUSED: Final = _("No number can be taken just now: please ask at the general window")
BUSY: Final = _("The service is busy: please try again in a moment")
TOO_OFTEN: Final = _("Numbers are being taken too often on this kiosk: please wait a minute and try again")
LOOKED_UP_TOO_OFTEN: Final = _("Cases are being looked up too often on this kiosk: please wait a minute and try again")
REFUSED_BECAUSE: Final = {
    "rate_limited": TOO_OFTEN,
    "too_fast": TOO_OFTEN,
    "broker_refused": TOO_OFTEN,
    "busy": BUSY,
    "numbers_exhausted": _(
        "Today's numbers for this kind of business have all been taken: please ask at the general window"
    ),
}
"""What the screen says for a refusal the service gave a reason code for (otherwise TICKET_REFUSED)."""
CASE_NO_ANSWER: Final = _(
    "The service cannot be reached just now: please try again later, or ask at the general window"
)
CASE_NOT_FOUND: Final = _(
    "Nothing found. Please check the case number and the last four digits of the phone number, and try again"
)
"""An unknown number and wrong digits get this one answer: the service words them alike on purpose."""
CASE_UNREADABLE: Final = _("No case can be looked up just now: please try again later, or ask at the general window")
"""A refusal without a known reason, or a reply the kiosk cannot read."""
CASE_REFUSED_BECAUSE: Final = {
    "not_found": CASE_NOT_FOUND,
    "locked": _("This case has been looked up wrongly too many times: please ask at a window"),
    "rate_limited": LOOKED_UP_TOO_OFTEN,
    "lookups_held": _("This kiosk has had too many wrong lookups lately: please try again later, or ask at a window"),
    "too_fast": LOOKED_UP_TOO_OFTEN,
    "broker_refused": LOOKED_UP_TOO_OFTEN,
    "busy": BUSY,
}
CASE_DIGITS: Final = re.compile(r"[0-9]{1,20}")
"""A case number as the kiosk's keypad types it: the service adds the centre's letters."""
PHONE_DIGITS: Final = re.compile(r"[0-9]{4}")
CASE_FLAGS: Final = frozenset({"overdue", "due_soon", "paused", "on_time", "late"})
CASE_STEPS_SHOWN: Final = 60
"""Timeline entries a lookup shows at most (the latest)."""
CASE_DOCS_SHOWN: Final = 64
CASE_CONTACTS_SHOWN: Final = 8
CASE_NOTE_CHARS: Final = 500
DEFAULT_COMMAND_TIMEOUT_S: Final = 8.0

# How content.shared.client words the failures that mean "nobody answered" rather than "refused".


@dataclass(frozen=True)
class TicketResult:
    ok: bool
    message: str
    """For the screen, in Chinese: the number and the wait, or why there is none."""
    ticket: str = ""
    category_name: str = ""
    priority_name: str = ""
    ahead: int | None = None
    estimate_min: int | None = None
    url: str | None = None
    """Where a phone follows the ticket (the QR code)."""
    command_id: str = ""
    """Pass it back to `take_ticket` to retry after no answer: the service never issues two numbers."""
    retry: bool = False
    """True when nobody answered: the same command may be sent again."""
    detail: str = ""
    """The service's or the client's own words, for the log."""


@dataclass(frozen=True)
class CaseStep:
    when: str
    name: str
    tier_name: str = ""
    note: str = ""
    basis: str = ""


@dataclass(frozen=True)
class CaseContact:
    label: str
    phone: str


@dataclass(frozen=True)
class CaseView:
    """A case as the 查询办件 screen shows it: the service's reply read field by field, every text cut to
    a length the screen can show and every list to a count it can scroll through (`read_case`)."""

    number: str
    item: str
    stage_name: str
    holder_name: str = ""
    deciding_name: str = ""
    opened: str = ""
    due_text: str = ""
    flag: str = ""
    """overdue / due_soon / paused / on_time / late, or "" (anything else reads as "")."""
    flag_text: str = ""
    applicant: str = ""
    phone: str = ""
    contacts: tuple[CaseContact, ...] = ()
    timeline: tuple[CaseStep, ...] = ()
    """Oldest first, as the service sends it."""
    missing: tuple[str, ...] = ()
    received: tuple[str, ...] = ()
    url: str | None = None


@dataclass(frozen=True)
class CaseResult:
    ok: bool
    message: str
    case: CaseView | None = None
    code: str = ""
    """The service's reason for a refusal (not_found, locked, rate_limited), if it gave one."""
    detail: str = ""


_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def _case_text(value: Any, limit: int, *, lines: bool = False) -> str:
    """A text field for the case screen: a string, control and direction characters dropped (newlines
    kept with `lines`), cut to `limit`; "" for anything else."""
    if not isinstance(value, str):
        return ""
    text = _CONTROL.sub("", value[: limit * 2])
    if lines:
        text = "\n".join(line.strip() for line in text.replace("\r", "").splitlines() if line.strip())
    else:
        text = " ".join(text.split())
    return text[:limit].strip()


def _case_texts(value: Any, count: int, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(t for t in (_case_text(v, limit) for v in value[:count]) if t)


def _case_url(value: Any) -> str | None:
    url = value if isinstance(value, str) else ""
    if len(url) > 500 or not re.fullmatch(r"https?://[!-~]+", url):
        return None
    return url


def read_case(result: Any) -> CaseView | None:
    """The reply to `case` as the screen may show it, or None when it is not one (no number or stage).

    The reply is treated as hostile: any field of the wrong type reads as missing, texts are cut,
    lists bounded, and the tracking address must be http(s) for the QR code."""
    if not isinstance(result, dict):
        return None
    number, stage_name = _case_text(result.get("number"), 40), _case_text(result.get("stage_name"), 20)
    if not number or not stage_name:
        return None
    steps = []
    timeline = result.get("timeline")
    for row in timeline[-CASE_STEPS_SHOWN:] if isinstance(timeline, list) else ():
        if not isinstance(row, dict):
            continue
        name = _case_text(row.get("name"), 30)
        if not name:
            continue
        steps.append(
            CaseStep(
                when=_case_text(row.get("when"), 40),
                name=name,
                tier_name=_case_text(row.get("tier_name"), 20),
                note=_case_text(row.get("note"), CASE_NOTE_CHARS, lines=True),
                basis=_case_text(row.get("basis"), CASE_NOTE_CHARS, lines=True),
            )
        )
    contacts = []
    raw_contacts = result.get("contacts")
    for row in raw_contacts[:CASE_CONTACTS_SHOWN] if isinstance(raw_contacts, list) else ():
        if isinstance(row, dict):
            label, phone = _case_text(row.get("label"), 60), _case_text(row.get("phone"), 30)
            if label and phone:
                contacts.append(CaseContact(label, phone))
    flag = result.get("flag")
    return CaseView(
        number=number,
        item=_case_text(result.get("item"), 120),
        stage_name=stage_name,
        holder_name=_case_text(result.get("holder_name"), 40),
        deciding_name=_case_text(result.get("deciding_name"), 40),
        opened=_case_text(result.get("opened"), 40),
        due_text=_case_text(result.get("due_text"), 120),
        flag=flag if isinstance(flag, str) and flag in CASE_FLAGS else "",
        flag_text=_case_text(result.get("flag_text"), 20),
        applicant=_case_text(result.get("applicant"), 20),
        phone=_case_text(result.get("phone"), 24),
        contacts=tuple(contacts),
        timeline=tuple(steps),
        missing=_case_texts(result.get("missing"), CASE_DOCS_SHOWN, 120),
        received=_case_texts(result.get("received"), CASE_DOCS_SHOWN, 120),
        url=_case_url(result.get("url")),
    )


def ticket_message(ticket: str, ahead: int | None, estimate_min: int | None) -> str:
    if ahead is None:
        return _("Your number is {ticket}.").format(ticket=ticket)
    if not ahead:
        return _("Your number is {ticket}; nobody is waiting before you.").format(ticket=ticket)
    if estimate_min is None:
        return _("Your number is {ticket}; {ahead} waiting before you.").format(ticket=ticket, ahead=ahead)
    return _("Your number is {ticket}; {ahead} waiting before you, a wait of about {minutes} minutes.").format(
        ticket=ticket, ahead=ahead, minutes=estimate_min
    )


class KioskLink(DeviceLink[KioskModel]):
    KIND = "kiosk"
    TOPICS = TOPICS
    CACHED = DOCUMENTS
    PRESENCE_REVS = PRESENCE_REVS

    def __init__(
        self,
        broker: BrokerUrl | None,
        centre: str,
        *,
        device_id: str,
        cache_dir: Path,
        on_change: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        sender: Callable[..., dict[str, Any]] = send_command,
        keepalive: int = DEVICE_KEEPALIVE_S,
    ) -> None:
        self.cache: KioskCache
        super().__init__(
            broker,
            centre,
            KioskModel(),
            device_id=device_id,
            cache=KioskCache(cache_dir),
            log=log,
            clock=clock,
            keepalive=keepalive,
        )
        self.on_change = on_change
        self._send = sender
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kiosk-cmd")

    def stop(self) -> None:
        """Publish `disconnected`, disconnect, and end the worker and the command threads."""
        super().stop()
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- the model, for the UI thread -----------------------------------------------------------

    def poll(self) -> KioskModel:
        """The latest model. Cheap: call it from the `on_change` trigger's callback."""
        return self.state

    def media_path(self, sha256: str | None) -> Path | None:
        return self.cache.media_path(sha256) if sha256 else None

    # -- the worker -----------------------------------------------------------------------------

    def apply(self, state: KioskModel, topic: str, payload: bytes) -> KioskModel:
        return state.apply(topic, payload)

    def first_state(self) -> KioskModel:
        return KioskModel(media=self.cache.load_media())

    def connection(self, state: KioskModel, connected: bool) -> KioskModel:
        return state.with_connection(connected)

    def received(self, state: KioskModel, topic: str, payload: bytes, arrived: float) -> KioskModel:
        if topic.startswith("media/"):
            sha = topic.removeprefix("media/")
            if not payload or not is_sha256(sha):  # an empty retained message clears a medium
                return state
            return state.with_media(sha) if self.cache.store_media(sha, payload) else state
        return super().received(state, topic, payload, arrived)

    def settle(self, state: KioskModel) -> None:
        if self.on_change is not None:
            self.on_change()

    # -- commands -------------------------------------------------------------------------------

    def take_ticket(
        self,
        category: str,
        priority: str | None = None,
        *,
        timeout: float = DEFAULT_COMMAND_TIMEOUT_S,
        command_id: str | None = None,
        callback: Callable[[TicketResult], None] | None = None,
    ) -> Future[TicketResult]:
        """Take a number off the UI thread. The Future never raises: failures are results."""
        command = command_id or uuid.uuid4().hex
        args: dict[str, Any] = {"category": category}
        if priority:
            args["priority"] = priority
        return self._submit(lambda: self._ticket(args, timeout, command), callback)

    def lookup_case(
        self,
        number: str,
        digits: str,
        *,
        timeout: float = DEFAULT_COMMAND_TIMEOUT_S,
        callback: Callable[[CaseResult], None] | None = None,
    ) -> Future[CaseResult]:
        """Ask the service about case `number` (its digits as typed: the service adds the centre's
        letters) with `digits`, the last four of the applicant's phone. The Future never raises."""
        return self._submit(lambda: self._case(number, digits, timeout), callback)

    def _submit(self, work: Callable[[], _R], callback: Callable[[_R], None] | None) -> Future[_R]:
        future = self._executor.submit(work)
        if callback is not None:

            def done(finished: Future[_R]) -> None:
                if not finished.cancelled():
                    callback(finished.result())

            future.add_done_callback(done)
        return future

    def _ticket(self, args: dict[str, Any], timeout: float, command_id: str) -> TicketResult:
        if self.broker is None:
            return TicketResult(False, NO_ANSWER, command_id=command_id, retry=True, detail="no broker configured")
        try:
            result = self._send(self.broker, self.centre, "ticket", args, timeout=timeout, command_id=command_id)
        except NoReply as exc:
            log.warning("ticket %s: %s", args, exc)
            return TicketResult(False, NO_ANSWER, command_id=command_id, retry=True, detail=str(exc))
        except CommandFailed as exc:
            log.warning("ticket %s: %s", args, exc)
            message = REFUSED_BECAUSE.get(exc.code or "", TICKET_REFUSED)
            return TicketResult(False, message, command_id=command_id, detail=str(exc))
        except Exception as exc:  # a bug in the sender must still leave the screen a message
            log.exception("ticket %s failed", args)
            return TicketResult(False, NO_ANSWER, command_id=command_id, retry=True, detail=str(exc))
        ticket = read_text(result.get("ticket"), 8)
        if not ticket:
            return TicketResult(
                False, TICKET_REFUSED, command_id=command_id, detail=f"reply without a ticket: {result}"
            )
        ahead, estimate = read_int(result.get("ahead")), read_int(result.get("estimated_wait_min"))
        url = read_text(result.get("url"), 300)
        return TicketResult(
            ok=True,
            message=ticket_message(ticket, ahead, estimate),
            ticket=ticket,
            category_name=read_text(result.get("category_name"), 40),
            priority_name=read_text(result.get("priority_name"), 20),
            ahead=ahead,
            estimate_min=estimate,
            url=url if url.startswith(("http://", "https://")) else None,
            command_id=command_id,
        )

    def _case(self, number: str, digits: str, timeout: float) -> CaseResult:
        if not CASE_DIGITS.fullmatch(number) or not PHONE_DIGITS.fullmatch(digits):
            return CaseResult(False, CASE_NOT_FOUND, code="not_found", detail="not digits as the keypad types them")
        if self.broker is None:
            return CaseResult(False, CASE_NO_ANSWER, detail="no broker configured")
        args = {"case": number, "digits": digits}
        try:
            result = self._send(self.broker, self.centre, "case", args, timeout=timeout)
        except NoReply as exc:
            return CaseResult(False, CASE_NO_ANSWER, detail=str(exc))
        except CommandFailed as exc:
            log.info(_("case lookup refused: %s"), exc)  # never the digits in the log
            code = exc.code or ""  # a service without case tracking says "unknown command", with no code
            return CaseResult(False, CASE_REFUSED_BECAUSE.get(code, CASE_UNREADABLE), code=code, detail=str(exc))
        except Exception as exc:  # a bug in the sender must still leave the screen a message
            log.exception(_("case lookup failed"))
            return CaseResult(False, CASE_NO_ANSWER, detail=str(exc))
        try:
            case = read_case(result)
        except Exception:  # whatever came, the screen gets a message
            log.exception(_("case reply unreadable"))
            case = None
        if case is None:
            fields = sorted(str(k)[:30] for k in list(result)[:40]) if isinstance(result, dict) else type(result)
            log.warning(_("case reply unreadable (fields %s)"), fields)  # not the values: personal data
            return CaseResult(False, CASE_UNREADABLE, detail="unreadable reply")
        return CaseResult(True, "", case=case)
