"""The content service: publishes a centre's state and applies staff commands.

Everything happens on one thread, in `run`: paho's callbacks and the file watcher only put
events on a queue. That keeps the store single-threaded and the order of effects obvious:
validate, apply, commit, reply, republish, acknowledge.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from content.accounts.roster import Roster
from content.cases.calendar import calendar_for, calendar_warnings
from content.centre.loader import Content, LoadResult, load_content
from content.queue import rules as q
from content.service import documents, rates, records
from content.service.commands import cases
from content.service.commands.base import Command, Context, Outcome, Refusal
from content.service.commands.cases import Desk
from content.service.commands.senders import Senders, Users
from content.service.commands.table import COMMANDS
from content.service.intake import Intake, Shed
from content.service.live import ISSUED_DAYS, Live, Snapshot, next_change, prune
from content.service.rates import MinuteShare, Rates
from content.service.secret import SECRET_FILE, SecretError, load_or_create
from content.service.store import Store
from content.shared import contract
from content.shared.broker_url import BrokerUrl
from content.shared.catalog import N_, domain
from content.shared.transport import Connected, Disconnected, Message, MqttTransport, Refused, Subscribed

log = logging.getLogger("hall.service")
_words = domain("service")
_ = _words.gettext
ngettext = _words.ngettext

DEVICE_ID = "service"
MAX_IDLE_WAIT_S = 30.0
PUBLISH_TIMEOUT_S = 10.0


REFUSALS_RECORDED_PER_MINUTE = 10
"""Refused commands of one account the audit log records in a minute; the rest are answered, counted and
logged once, so junk from a stolen account cannot fill the disk."""
LOG_LINES_PER_MINUTE = 60
"""Lines the service's log says about one account's commands in a minute; the rest are counted, and said
in one line when the minute turns."""
BUSY_REPLIES_PER_MINUTE = 10
"""Commands of one account shed (its line full, or sent at QoS 0) that are answered `busy` in a minute."""
KEPT_ARGS_BYTES = 1024
"""Of a refused command's arguments the audit log keeps this much JSON."""
DEFAULT_DEADLINE_S = 30.0
"""How long a command without an expiry of its own may wait here before it is dropped, unapplied: every
sender of this system gives one (MQTT 5 message expiry: the time it waits for the reply)."""
PUBLISH_EVERY_S = 0.5
"""While commands keep coming, the state documents still go out this often."""


def kept_args(args: Any) -> dict[str, Any]:
    """What the audit log keeps of a refused command's arguments: at most `KEPT_ARGS_BYTES` of their JSON."""
    text = json.dumps(args, ensure_ascii=False)
    if len(text.encode()) <= KEPT_ARGS_BYTES and isinstance(args, dict):
        return args
    return {"_cut": text.encode()[:KEPT_ARGS_BYTES].decode(errors="ignore"), "_bytes": len(text.encode())}


@dataclass(frozen=True)
class _ContentChanged:
    pass


@dataclass(frozen=True)
class _Stop:
    pass


@dataclass(frozen=True)
class _ClockMoved:
    looked: Future[dict[str, str]]


class ContentService:
    def __init__(
        self,
        content_dir: Path,
        broker: BrokerUrl,
        store: Store,
        *,
        clock: Callable[[], datetime] | None = None,
        watch: bool = True,
        public_url: str | None = None,
        case_secret: bytes | None = None,
        console_accounts: frozenset[str] = frozenset(),
        roster: Roster | None = None,
        users: Users | None = None,
    ) -> None:
        self.content_dir = content_dir
        self._secret = case_secret
        self._console_accounts = console_accounts
        """Accounts whose commands may name the person acting (`person`): the staff console's own."""
        self._senders = Senders(roster, users, console_accounts, accounts=broker.username is not None)
        """Whom a command acts for: its account in `roster`, or the console's person among `users`."""
        """The tracking links' signing secret (`content.service.secret`); None: the one beside the state file."""
        self.broker = broker
        self.store = store
        self._clock = clock
        self._watch = watch
        self._public_url = public_url
        self._warned: frozenset[str] = frozenset()
        """The content's warnings already logged: a reload that keeps them does not log them again."""
        self._settle_due = False
        """Replaces the content's `public_url` (where the QR codes point), e.g. the address `--http` serves."""
        self._events: Intake[Any] = Intake(self._shed)
        self._busy_replies = MinuteShare(
            N_("{account}: {count} more commands shed and not answered in a minute"), BUSY_REPLIES_PER_MINUTE
        )
        self._log_share = MinuteShare(
            N_("{account}: {count} more log lines about commands not written in a minute"), LOG_LINES_PER_MINUTE
        )
        self._published_at = 0.0
        self._stop_watch = threading.Event()
        self._boot_id = uuid.uuid4().hex[:12]
        self._published: dict[str, str] = {}
        self._dirty = False
        self._refusals = MinuteShare(
            N_("{account}: {count} more refused commands answered but not recorded in a minute"),
            REFUSALS_RECORDED_PER_MINUTE,
        )
        self._rates: Rates
        self._issued: dict[dt.date, dict[str, int]] = {}
        """For the pages: the last numbers of the past days (replaced whole, never changed in place)."""
        self._documents = documents.DocumentCache()
        self._media_published: set[str] = set()
        self.ready = threading.Event()
        self._purge_at: datetime | None = None
        self.content: Content
        self.live: Live
        self.desk: Desk
        self._transport: MqttTransport

    # -- public ---------------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Ask `run` to finish; safe from a signal handler or another thread."""
        self._events.put(_Stop())

    def clock_moved(self) -> Future[dict[str, str]]:
        """The clock jumped (a test's clock, or the machine's stepped by NTP): look at the time now rather
        than at the next planned moment (an announcement's end, the day's turn). Its result, once the loop
        has looked and published what follows, is the rev of each state document as published then."""
        looked: Future[dict[str, str]] = Future()
        self._events.put(_ClockMoved(looked))
        return looked

    def run(self) -> int:
        """Serve until `request_stop`. Returns the process exit code."""
        result = load_content(self.content_dir)
        problems = [str(p) for p in result.problems]
        if result.content is not None:
            problems += documents.oversized(result.content, datetime.now(UTC))
        if result.content is None or problems:
            for problem in problems:
                log.error("%s", problem)
            log.error(_("The content in {folder} is not valid; nothing was published").format(folder=self.content_dir))
            return 1
        try:
            secret = self._secret or load_or_create(self.store.path.with_name(SECRET_FILE), self.content_dir)
        except SecretError as exc:
            log.error("%s", exc)
            return 1
        self._warn(result)
        self.content = self._overridden(result.content)
        self.desk = Desk(self.content, calendar_for(self.content), self.store, secret)
        self._rates = Rates(self.content.centre.rates)
        for warning in calendar_warnings(self.content, datetime.now(UTC).date()):
            log.warning("%s", warning)
        self._settle_due = True
        centre = self.content.centre
        zone = contract.zone_named(centre.timezone)
        assert zone is not None, "load_content checks the time zone"
        if self._clock is None:
            self._clock = lambda: datetime.now(zone)
        now = self.now()
        settings = self.content.centre.queue
        today = q.service_day(now, settings)
        self.live = replace(self.store.load(now, today, settings.recent_calls), pickup=cases.ready_numbers(self.desk))
        self._issued = self.store.issued(today - dt.timedelta(days=ISSUED_DAYS), today)
        self._transport = MqttTransport(
            self.broker,
            # One persistent session, under the service's own account (a broker without accounts: any id).
            client_id=contract.client_id(self.broker.username or f"hall-service-{centre.id}"),
            prefix=contract.base(centre.id),
            sink=self._arrived,
            will=(contract.device_topic(DEVICE_ID), self._device_state("lost")),
            persistent_session=True,
            manual_ack=True,
            # Commands are small: the broker keeps anything larger from the service altogether.
            max_packet_bytes=contract.MAX_COMMAND_BYTES + 4096,
        )
        self._transport.subscribe(["cmd/+/+"])
        self._transport.start()
        watcher = self._start_watcher() if self._watch else None
        log.info(
            _("Serving {name} ({centre}) from {folder} on {broker}").format(
                name=centre.name, centre=centre.id, folder=self.content_dir, broker=self.broker.redacted()
            )
        )
        try:
            return self._loop()
        finally:
            self._stop_watch.set()
            self._transport.stop(final=(contract.device_topic(DEVICE_ID), self._device_state("disconnected")))
            if watcher:
                watcher.join(timeout=5)
            log.info(_("Stopped"))

    def now(self) -> datetime:
        assert self._clock is not None
        return self._clock()

    def snapshot(self) -> Snapshot | None:
        """What the public pages show now (from any thread: content and live state are immutable and
        replaced whole); None until the content is loaded."""
        content, live = self.__dict__.get("content"), self.__dict__.get("live")
        if content is None or live is None or self._clock is None:
            return None
        return Snapshot(content, live, self.now(), self._issued)

    @staticmethod
    def _settle() -> None:
        """After a load: the content stays alive until the next edit, so it leaves the cyclic collector's
        reach (gc.freeze). A full collection over a 2,000-item catalog otherwise stops every thread of the
        service, MQTT and public pages alike, for 30-60 ms. Replaced content is still freed by reference
        counting."""
        gc.collect()
        gc.freeze()

    def _warn(self, result: LoadResult) -> None:
        """Log what is likely wrong in the content though the hall runs (a copy of the sample that keeps the
        sample's public_url), unless this service is told its own public_url."""
        if self._public_url is None:
            warnings = [str(w) for w in result.warnings]
            # Said once, not again on every reload while the content keeps it; again if it comes back.
            for warning in warnings:
                if warning not in self._warned:
                    log.warning("%s", warning)
            self._warned = frozenset(warnings)

    def _overridden(self, content: Content) -> Content:
        if self._public_url is None:
            return content
        return replace(content, centre=content.centre.model_copy(update={"public_url": self._public_url}))

    # -- the loop -------------------------------------------------------------------------------

    def _loop(self) -> int:
        while True:
            if self._dirty and (self._events.empty() or time.monotonic() - self._published_at > PUBLISH_EVERY_S):
                # State documents go out once the commands waiting now are handled: under a
                # burst of tickets the queue document is built once, not once per ticket; under
                # a flood, still every PUBLISH_EVERY_S. Replies and call events never wait for this.
                self._publish_state()
            if self._settle_due and self.ready.is_set() and self._events.empty():
                self._settle_due = False  # once the new content is out: it need not wait for this
                self._settle()
            event = self._events.get(timeout=self._wait_s())
            if event is None:
                self._publish_state()  # an announcement started or expired, the day turned, stats
                continue
            match event:
                case _Stop():
                    return 0
                case Refused(reason=reason, permanent=True):
                    log.error(
                        _("The broker {broker} refused the service: {reason}").format(
                            broker=self.broker.redacted(), reason=reason
                        )
                    )
                    return 2
                case Refused(reason=reason):
                    log.warning(_("The broker refused the connection ({reason}); trying again").format(reason=reason))
                case Connected():
                    log.info(_("Connected to {broker}").format(broker=self.broker.redacted()))
                case Subscribed(refused=refused) if refused:
                    log.error(
                        _("The broker refused the subscriptions {topics}: check the service account's ACL").format(
                            topics=", ".join(refused)
                        )
                    )
                    return 2
                case Subscribed():
                    self._announce_ready()
                case Disconnected(reason=reason):
                    self.ready.clear()
                    log.warning(
                        _(
                            "Disconnected from the broker ({reason}); reconnecting. If this repeats every few "
                            "seconds, another `hall serve` of this centre is connected with the same client id"
                        ).format(reason=reason)
                    )
                case Message():
                    self._on_message(event)
                case _ContentChanged():
                    self._reload()
                case _ClockMoved(looked=looked):
                    self._publish_state()
                    looked.set_result(dict(self._published))

    def _wait_s(self) -> float:
        """Until an announcement starts or ends, or the queue's day turns over."""
        now = self.now()
        moments = [q.next_reset(now, self.content.centre.queue), self._documents.next_due(now)]
        change = next_change(self.live, now)
        if change is not None:
            moments.append(change)
        return min(MAX_IDLE_WAIT_S, max(0.0, (min(moments) - now).total_seconds()))

    def _current(self, now: datetime) -> Live:
        """Live state as of `now`: announcements that are over dropped, the queue's day turned over.
        Neither needs storing: both follow from the time."""
        live = prune(self.live, now)
        settings = self.content.centre.queue
        today = q.service_day(now, settings)
        if live.queue.day != today:
            if live.queue.day is not None:  # the day that ends is one the pages still answer for
                kept = {d: c for d, c in self._issued.items() if (now.date() - d).days < ISSUED_DAYS}
                self._issued = {**kept, live.queue.day: dict(live.queue.counters)}
            # The day as stored: empty when it is new, its tickets and calls when the clock stepped back
            # to a day already served (numbers then go on from the last one, and the waiting still wait).
            live = replace(live, queue=self.store.load_queue(today, settings.recent_calls))
        self.live = live
        return live

    # -- publishing -----------------------------------------------------------------------------

    def _announce_ready(self) -> None:
        """After (re)subscribing: republish everything, then say ready once the broker has it."""
        self._published.clear()
        self._media_published.clear()
        deliveries = self._publish_state()
        if all(delivery.wait(PUBLISH_TIMEOUT_S) for delivery in deliveries):
            self._transport.publish(contract.device_topic(DEVICE_ID), self._device_state("ready"), retain=True)
            self.ready.set()
            revs = ", ".join(f"{k}={v}" for k, v in sorted(self._published.items()))
            log.info(_("Ready: the state is published ({revs})").format(revs=revs))
        else:
            log.warning(
                _(
                    "The broker did not acknowledge the state within {seconds:.0f} s; it is published again "
                    "on reconnecting"
                ).format(seconds=PUBLISH_TIMEOUT_S)
            )

    def _publish_state(self) -> list[Any]:
        """Publish each document whose rev changed, and media not yet sent. Returns the deliveries."""
        now = self.now()
        self._purge(now)
        live = self._current(now)
        self._dirty = False
        self._published_at = time.monotonic()
        deliveries = []
        wanted_media = {media.sha256: media for media in self.content.media.values()}
        for sha, media in wanted_media.items():
            if sha not in self._media_published:
                topic = contract.media_topic(sha)
                deliveries.append(self._transport.publish(topic, media.data, retain=True, content_type=media.mime))
                self._media_published.add(sha)
        for topic, (body, rev) in self._documents.build(self.content, live, now).items():
            if self._published.get(topic) == rev:
                continue
            payload = contract.encode(contract.state_document(body, now, rev))
            deliveries.append(self._transport.publish(topic, payload, retain=True))
            self._published[topic] = rev
        for sha in self._media_published - wanted_media.keys():
            # No document refers to it any more: clear the retained copy.
            deliveries.append(self._transport.publish(contract.media_topic(sha), b"", retain=True))
            self._media_published.discard(sha)
        return deliveries

    def _device_state(self, status: contract.DeviceStatus) -> bytes:
        revs = dict(self._published) if status == "ready" else {}
        return contract.encode(contract.device_state(status, "service", self._boot_id, self.now(), revs))

    # -- commands -------------------------------------------------------------------------------

    def _on_message(self, message: Message) -> None:
        try:
            sent = contract.command_sender(message.topic)
            if sent is not None:
                self._on_command(*sent, message.payload, expires=message.expires)
        except Exception:  # a bug must not stop the hall: log it and carry on
            log.exception(_("Could not handle {topic}").format(topic=message.topic[:200]))
        finally:
            self._transport.ack(message.mid, message.qos)

    def _arrived(self, event: Any) -> None:
        """paho's thread: a command without a deadline of its own gets ours, counted from now."""
        if isinstance(event, Message) and event.expires is None:
            event = replace(event, expires=time.monotonic() + DEFAULT_DEADLINE_S)
        self._events.put(event)

    def _shed(self, shed: Shed) -> None:
        """paho's thread: a command not taken (`content.service.intake`) is acknowledged, so the broker
        sends on, and never applied; its sender hears `busy` (or `qos0`), a few times a minute."""
        message = shed.message
        self._transport.ack(message.mid, message.qos)
        now = self.now()
        if not self._busy_replies.take(shed.account, now):
            return
        try:
            command_id = contract.decode(message.payload, contract.MAX_COMMAND_BYTES).get("id")
        except contract.PayloadError:
            return
        if isinstance(command_id, str) and 1 <= len(command_id) <= 64:
            refusal = Refusal("qos0" if shed.why == "qos0" else "busy")
            self._reply(shed.account, _refusal_reply(command_id, now, refusal))
        log.warning(
            _("A command of {account} was not taken ({why}): {waiting} waiting").format(
                account=shed.account, why=shed.why, waiting=self._events.waiting().get(shed.account, 0)
            )
        )

    def _on_command(self, verb: str, sender: str, raw: bytes, *, expires: float | None = None) -> None:
        """A command of `sender`, the account named in its topic: the broker lets an account publish
        only under its own name, so nothing in the payload is believed about who sent it, and the
        reply goes to that account alone. A command id is the sender's own: a repeat of it gets the
        stored reply, whatever the verb; another account's command of the same id is another command."""
        now = self.now()
        try:
            payload = contract.decode(raw, contract.MAX_COMMAND_BYTES)
        except contract.PayloadError as exc:
            if self._log_share.take(sender, now):
                log.warning(_("cmd/{verb}/{sender} ignored: {problem}").format(verb=verb, sender=sender, problem=exc))
            return
        command_id = payload.get("id")
        if not isinstance(command_id, str) or not 1 <= len(command_id) <= 64:
            self._reply(sender, _refusal_reply(str(command_id)[:64], now, Refusal("bad_id")))
            return
        stored = self.store.reply_for(sender, command_id)
        if stored is not None:
            if self._log_share.take(sender, now):
                log.info(
                    _("cmd/{verb}/{sender} {id} is a repeat; answering again").format(
                        verb=verb, sender=sender, id=command_id
                    )
                )
            self._reply(sender, stored)
            return
        person = payload.get("person")
        try:
            self._check_person(sender, person)
        except Refusal as refused:  # answered, not recorded: the audit log would name a person not believed
            self._reply(sender, _refusal_reply(command_id, now, refused))
            return
        args = payload.get("args", {})
        command = COMMANDS.get(verb)
        try:
            if command is None:
                raise Refusal("unknown_command", verb=verb, known=", ".join(sorted(COMMANDS)))
            if not isinstance(args, dict):
                raise Refusal("args_not_object", got=type(args).__name__)
            if self._late(payload, expires):
                # Its sender has given up on it (its deadline, or ours: see _arrived): applied now, it
                # would be applied unseen.
                raise Refusal("expired")
            self._spend(sender, person, command.budget, now)
            console = sender in self._console_accounts
            who = self._senders.acting(sender, person, self.content.centre.id)
            cx = Context(self._current(now), self.content, args, sender, now, self.desk, console, person, who)
            outcome = command.handler(cx)
        except Refusal as refused:
            recorded = command is None or command.kind != "asks" or refused.code in ("expired", "too_fast")
            self._refused(verb, command_id, sender, args, person, refused, now, recorded=recorded)
            return
        self._apply(command, verb, command_id, sender, cx, outcome)

    @staticmethod
    def _late(payload: dict[str, Any], expires: float | None) -> bool:
        """Whether the sender has stopped waiting for this command: past the expiry the broker left it,
        counted from when it was read here; or past the deadline it names, on the hall's clock. The first
        holds whatever the clocks say; the second also when the service itself stood still (a frozen VM,
        swapping) while the command lay unread in its socket, which the first cannot see."""
        if expires is not None and time.monotonic() > expires:
            return True
        deadline = contract.read_deadline(payload.get("deadline"))
        return deadline is not None and datetime.now(UTC) > deadline

    def _spend(self, sender: str, person: Any, budget: str, now: datetime) -> None:
        """One command from the budgets of its account (the console's: of its person), or `too_fast`."""
        over = self._rates.take(sender, person if isinstance(person, str) else None, budget, now)
        if over is not None:
            group, most = over
            if isinstance(person, str):
                who = _("console user {person}").format(person=person)
            else:
                who = _("account {account}").format(account=sender)
            raise Refusal("too_fast", who=who, most=most, what=rates.WORDS[group])

    def _check_person(self, sender: str, person: Any) -> None:
        """Only the console's account names the person acting through it, by the login name of an enabled
        user of the console's users file."""
        self._senders.check_person(sender, person)

    def _apply(self, command: Command, verb: str, command_id: str, sender: str, cx: Context, outcome: Outcome) -> None:
        """Store what the command changed with its audit row, all or nothing, then answer; a question is
        answered only."""
        now = cx.now
        reply = contract.reply(command_id, now, result=outcome.result)
        if command.kind == "asks":
            self._reply(sender, reply)
            return
        try:
            if command.kind == "live":
                args = cx.args
                self.store.commit(
                    command_id, verb, sender, args, reply, cx.live, outcome.live, now, outcome.calls, person=cx.person
                )
            else:
                args, kept = cases.for_audit(cx.args, reply)
                changes = list(outcome.cases)
                calendar = self.desk.calendar
                self.store.commit_cases(command_id, verb, sender, args, kept, changes, calendar, now, person=cx.person)
        except Exception:
            self._not_stored(verb, sender, command_id, now)
            return
        self.live = outcome.live
        # Calls first: they are what the hall is waiting to see and hear.
        for made in outcome.calls:
            event = contract.call_event(documents.call_json(made), now)
            self._transport.publish("call", contract.encode(event))
        self._reply(sender, reply)
        if command.kind == "cases":  # the number and stage only: the result names the applicant
            log.info(
                _("cmd/{verb} by {sender}: {case} {stage}").format(
                    verb=verb, sender=sender, case=outcome.result.get("number"), stage=outcome.result.get("stage")
                )
            )
            self._refresh_pickup()
        else:
            log.info(_("cmd/{verb} by {sender}: {result}").format(verb=verb, sender=sender, result=outcome.result))
            self._dirty = True

    def _refused(
        self,
        verb: str,
        command_id: str,
        sender: str,
        args: Any,
        person: str | None,
        refused: Refusal,
        now: datetime,
        *,
        recorded: bool,
    ) -> None:
        """Answer a refusal; one that is not a question's goes in the audit log too, up to the minute's
        share of its account (the applicant of a case masked)."""
        reply = _refusal_reply(command_id, now, refused)
        if recorded and self._refusals.take(sender, now):
            # A command late here was never applied: its sender may send it again under its id (a kiosk
            # retries a ticket that got no answer), and that one must be applied, not answered from here.
            kept_id = f"{command_id}~{refused.code}~{uuid.uuid4().hex[:8]}" if refused.code == "expired" else command_id
            try:
                kept_refused, kept_reply = cases.for_audit(kept_args(args), reply)
                self.store.commit(
                    kept_id, verb, sender, kept_refused, kept_reply, self.live, self.live, now, person=person
                )
            except Exception:
                log.exception(
                    _("cmd/{verb}/{sender} {id}: the refusal could not be recorded").format(
                        verb=verb, sender=sender, id=command_id
                    )
                )
        if self._log_share.take(sender, now):
            log.info(_("cmd/{verb} by {sender} refused: {why}").format(verb=verb, sender=sender, why=refused))
        if refused.code != "expired":  # nobody waits for that answer, and a retry of it must not take it
            self._reply(sender, reply)

    def _not_stored(self, verb: str, sender: str, command_id: str, now: datetime) -> None:
        """Nothing was stored, so nothing is applied: say so rather than leave the sender waiting."""
        log.exception(_("cmd/{verb}/{sender} {id} could not be stored").format(verb=verb, sender=sender, id=command_id))
        self._reply(sender, _refusal_reply(command_id, now, Refusal("not_stored")))

    def _refresh_pickup(self) -> None:
        """The wall's 取件 list, from the store, if a case command changed it."""
        ready = cases.ready_numbers(self.desk)
        if ready != self.live.pickup:
            self.live = replace(self.live, pickup=ready)
            self._dirty = True

    def _purge(self, now: datetime) -> None:
        """Hourly: personal data of cases collected long enough ago goes (the masked record stays); audit
        rows and finished announcements older than `records` says go to the archive."""
        if self._purge_at is not None and now < self._purge_at:
            return
        self._purge_at = now + dt.timedelta(hours=1)
        try:
            purged = self.store.purge_cases(cases.purge_before(self.desk, now), now)
        except Exception:
            log.exception(_("The personal data of collected cases could not be removed; trying again in an hour"))
            return
        if purged:
            log.info(
                ngettext(
                    "Removed the applicant's name and mobile number from {count} collected case",
                    "Removed the applicant's name and mobile number from {count} collected cases",
                    len(purged),
                ).format(count=len(purged))
            )
        try:
            moved = records.move_over(self.store.db, self.store.path, self.content.centre.records, now)
        except Exception:
            log.exception(_("Old records could not be archived; trying again in an hour"))
            return
        if any(moved.values()):
            log.info(
                _("Archived to {folder}: {moved}").format(folder=records.archive_dir(self.store.path), moved=moved)
            )
        if any(count >= records.BATCH for count in moved.values()):
            self._purge_at = now + dt.timedelta(minutes=1)  # more to move: soon, a batch at a time

    def _reply(self, account: str, reply: dict[str, Any]) -> None:
        self._transport.publish(contract.reply_topic(account), contract.encode(reply))

    # -- content reloads ------------------------------------------------------------------------

    def _start_watcher(self) -> threading.Thread:
        from watchfiles import watch

        def run() -> None:
            for _changes in watch(self.content_dir, stop_event=self._stop_watch, debounce=300, step=50):
                self._events.put(_ContentChanged())

        thread = threading.Thread(target=run, name="content-watch", daemon=True)
        thread.start()
        return thread

    def _reload(self) -> None:
        try:
            result = load_content(self.content_dir)
        except Exception:  # a bug in loading must not stop the hall: the last good content stays
            log.exception(
                _("The content edit was not applied (it could not be read); the last good content is still published")
            )
            return
        problems = [str(p) for p in result.problems]
        if result.content is not None:
            problems += documents.oversized(result.content, self.now())
        if result.content is None or problems:
            log.error(_("The content edit was not applied; the last good content is still published:"))
            for problem in problems:
                log.error("  %s", problem)
            return
        assert result.content is not None
        if result.content.centre.id != self.content.centre.id:
            log.error(
                _(
                    "The content edit was not applied: the centre id changed from {before} to {after}; restart "
                    "the service to move it"
                ).format(before=self.content.centre.id, after=result.content.centre.id)
            )
            return
        self._warn(result)
        self.content = self._overridden(result.content)
        self.desk = replace(self.desk, content=self.content, calendar=calendar_for(self.content))
        self._settle_due = True
        self._rates.settings = self.content.centre.rates
        changed = self._publish_state()
        log.info(
            ngettext(
                "Content reloaded: {count} message published again",
                "Content reloaded: {count} messages published again",
                len(changed),
            ).format(count=len(changed))
        )


def _refusal_reply(command_id: str, now: datetime, refused: Refusal) -> dict[str, Any]:
    """The reply to a refused command: its code and its sentence."""
    return contract.reply(command_id, now, error=str(refused), code=refused.code)
