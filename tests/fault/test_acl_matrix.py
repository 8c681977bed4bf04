"""The ACL matrix: every account tries every publish and subscribe it may not make, on a real Mosquitto.

Two centres share one broker (a district's broker with a township's accounts on it would be the same), so
"another centre" is tried as well as another account of the same centre. Each centre's service account
first leaves a retained canary on every topic of its centre (state, calls, media, every account's device
state, replies and commands) and the broker itself keeps `$SYS` documents retained. Then:

- reads: every account subscribes to wildcards (`#`, `hall/#`, `+/+/+/#`, `$SYS/#`, another centre's
  subtree, every reply, every device state, every command) and receives the retained canaries; then
  every topic is published again live. Whatever it receives that its role may not read is a leak;
  whatever it may read and does not receive means the canaries were not there, so the test is broken.
- writes: every account publishes on every topic (and on a few outside the hall's tree). The broker
  must answer a forbidden one with PUBACK 135, never deliver it, and leave the canary retained there.

What each role may do is written out below from the README's table, independently of the ACL generator,
and the figures (attempts, refused, leaked) are printed. `test_the_matrix_finds_a_leak` runs the same
matrix against a broker whose ACL has one line too many, so the matrix is known to see what it looks for.

Then what the broker lets through, the service decides: a matrix of verbs × accounts × the console's
people against the same broker and a real service with the roster and a users file, each outcome (the
broker refuses, the service refuses, it is done; an announcement up at once or waiting for approval; an
applicant's name and phone or their masked forms) written out from the README's table of who may do what.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from content.broker.config import Account, Roster
from content.broker.local import Mosquitto
from content.shared import contract
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, send_command
from tests.conftest import ROSTER, WAIT_S, Subscriber, serve_argv

pytestmark = [pytest.mark.fault, pytest.mark.broker]

NOT_AUTHORIZED = 135
OTHER = "dongguan"
ROLES = {a.user: a for a in ROSTER.accounts if a.role != "bridge"} | {
    a.user: a
    for a in (
        Account(user="service-dg", role="service", centre=OTHER),
        Account(user="staff-dg", role="staff", centre=OTHER),
        Account(user="kiosk-dg", role="kiosk", centre=OTHER),
        Account(user="led-dg", role="display", centre=OTHER),
    )
}
MATRIX_ROSTER = Roster(centre=ROSTER.centre, accounts=[*ROSTER.accounts, *(a for a in ROLES.values() if a.centre)])
CENTRES = {ROSTER.centre: "service", OTHER: "service-dg"}
"""Each centre and the account that writes its state (and so its canaries)."""
VERBS = ("announce", "staff", "ticket", "call", "window", "stats", "case", "x")
OUTSIDE = ("hall/v2/weicheng/centre", "hall/v1", "elsewhere/centre", "$SYS/broker/version", "hall/v1/youxian/catalog")
FILTERS = ("#", "hall/#", "+/+/+/#", "$SYS/#", "hall/v1/+/reply/+", "hall/v1/+/device/+/state", "hall/v1/+/cmd/#")

UNLIMITED = (1_000_000, 1_000_000)
"""The plugin's rate of commands, out of the way: this matrix sends thousands from each account to see what
the ACL lets through (test_flood and tests/content/broker/test_command_rate try the rate)."""


def centre_of(user: str) -> str:
    return ROLES[user].centre or ROSTER.centre


def topics_of(centre: str) -> list[str]:
    base = f"{contract.ROOT}/{centre}"
    per_account = [f"{kind}/{user}" for user in ROLES for kind in ("reply",)]
    per_account += [f"device/{user}/state" for user in (*ROLES, "service")]
    per_account += [f"cmd/{verb}/{user}" for verb in VERBS for user in ROLES]
    local = [*contract.STATE_TOPICS, "call", "media/0f3a", *dict.fromkeys(per_account)]
    return [f"{base}/{topic}" for topic in local]


CANARY_TOPICS = [topic for centre in CENTRES for topic in topics_of(centre)]


def may_read(user: str, topic: str) -> bool:
    """What the README's table of roles says `user` may read."""
    account, base = ROLES[user], f"{contract.ROOT}/{centre_of(user)}/"
    if not topic.startswith(base):
        return False  # another centre, another version, $SYS (the parent's bridged content has no canaries)
    rest = topic.removeprefix(base)
    if account.role == "service":
        return True
    shared = (*contract.STATE_TOPICS, "call", "device/service/state", f"reply/{user}")
    staff_only = account.role == "staff" and rest.startswith("device/") and rest.endswith("/state")
    return rest in shared or rest.startswith("media/") or staff_only


def may_write(user: str, topic: str) -> bool:
    """What the README's table of roles says `user` may publish."""
    account, base = ROLES[user], f"{contract.ROOT}/{centre_of(user)}/"
    if not topic.startswith(base):
        return False
    rest = topic.removeprefix(base)
    if account.role == "service":
        return True
    sender = contract.command_sender(rest)
    own_command = sender is not None and sender[1] == user
    match account.role:
        case "staff":
            return own_command or rest == f"device/{user}/state"
        case "kiosk":
            return (own_command and sender is not None and sender[0] in ("ticket", "case")) or (
                rest == f"device/{user}/state"
            )
        case _:
            return rest == f"device/{user}/state"


class Probe:
    """A paho client on absolute topics that records deliveries and PUBACK reason codes."""

    def __init__(self, url: str, name: str) -> None:
        broker = parse_broker_url(url)
        assert broker.username is not None
        self.received: list[tuple[str, bytes, bool]] = []
        self._acks: dict[int, int] = {}
        self._cond = threading.Condition()
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self.connack: Any = None
        client_id = contract.client_id(broker.username, f"{name}-{uuid.uuid4().hex[:6]}")
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.max_inflight_messages_set(100)
        self.client.username_pw_set(broker.username, broker.password)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        assert self._connected.wait(WAIT_S), f"{broker.username}: no CONNACK"
        assert not self.connack.is_failure, f"{broker.username}: {self.connack}"

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        self.connack = reason_code
        self._connected.set()

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        with self._cond:
            self.received.append((message.topic, bytes(message.payload), bool(message.retain)))
            self._cond.notify_all()

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason_code: Any, properties: Any) -> None:
        with self._cond:
            self._acks[mid] = int(reason_code.value)
            self._cond.notify_all()

    def subscribe(self, *topic_filters: str) -> Probe:
        self.client.subscribe([(topic_filter, 1) for topic_filter in topic_filters])
        assert self._subscribed.wait(WAIT_S), f"no SUBACK for {topic_filters}"
        return self

    def publish_all(self, topics: list[str], payload: Callable[[str], bytes], *, retain: bool) -> dict[str, int]:
        """Publish on every topic at once (QoS1); the broker's PUBACK reason code for each."""
        mids = {self.client.publish(topic, payload(topic), qos=1, retain=retain).mid: topic for topic in topics}
        with self._cond:
            assert self._cond.wait_for(lambda: mids.keys() <= self._acks.keys(), WAIT_S * 4), "PUBACKs missing"
            return {topic: self._acks[mid] for mid, topic in mids.items()}

    def wait_for(self, topic: str, payload: bytes) -> None:
        with self._cond:
            found = self._cond.wait_for(lambda: (topic, payload) in [(t, p) for t, p, _ in self.received], WAIT_S)
            assert found, f"{topic} {payload!r} never arrived"

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.client.on_connect = self.client.on_message = self.client.on_publish = self.client.on_subscribe = None


@dataclass
class Tally:
    attempts: int = 0
    refused: int = 0
    leaked: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Allowed and not seen: a canary that was not there, so the matrix would prove nothing."""

    def line(self, what: str) -> str:
        return f"{what}: {self.attempts} forbidden attempts, {self.refused} refused, {len(self.leaked)} leaked"


class Matrix:
    def __init__(self, broker: Mosquitto) -> None:
        self.broker = broker
        self.probes: list[Probe] = []

    def probe(self, user: str, name: str) -> Probe:
        probe = Probe(self.broker.url(user), name)
        self.probes.append(probe)
        return probe

    def close(self) -> None:
        for probe in self.probes:
            probe.close()

    def marker(self, writers: dict[str, Probe]) -> dict[str, bytes]:
        """A fresh marker on each centre's `call`, which every account of that centre may read: a
        subscriber that has it has everything the broker queued for it before."""
        markers = {centre: f"marker {uuid.uuid4().hex}".encode() for centre in CENTRES}
        for centre, writer in writers.items():
            codes = writer.publish_all([f"{contract.ROOT}/{centre}/call"], lambda t, c=centre: markers[c], retain=False)
            assert set(codes.values()) <= {0, 16}
        return markers

    def run(self) -> tuple[Tally, Tally]:
        writers = {centre: self.probe(user, "canary") for centre, user in CENTRES.items()}
        for centre, writer in writers.items():
            codes = writer.publish_all(topics_of(centre), lambda t: b"canary " + t.encode(), retain=True)
            assert set(codes.values()) <= {0, 16}, f"the service of {centre} could not place its canaries"
        reads = self.reads(writers)
        writes = self.writes(writers)
        return reads, writes

    def reads(self, writers: dict[str, Probe]) -> Tally:
        tally = Tally()
        readers = {
            (user, f): self.probe(user, f"r{i}").subscribe(f, f"{contract.ROOT}/{centre_of(user)}/call")
            for user in ROLES
            for i, f in enumerate(FILTERS)
        }
        for centre, writer in writers.items():  # the same topics once more, live
            writer.publish_all(topics_of(centre), lambda t: b"live " + t.encode(), retain=False)
        markers = self.marker(writers)
        for (user, topic_filter), reader in readers.items():
            reader.wait_for(f"{contract.ROOT}/{centre_of(user)}/call", markers[centre_of(user)])
            got = {(t, p.split(b" ")[0]) for t, p, _ in reader.received if not p.startswith(b"marker")}
            for topic in CANARY_TOPICS:
                if not mqtt.topic_matches_sub(topic_filter, topic):
                    continue
                for kind in (b"canary", b"live"):
                    arrived = (topic, kind) in got
                    if may_read(user, topic):
                        if not arrived:
                            tally.missing.append(f"{user} {topic_filter}: {topic} ({kind.decode()})")
                        continue
                    tally.attempts += 1
                    if arrived:
                        tally.leaked.append(f"{user} read {topic} through {topic_filter} ({kind.decode()})")
                    else:
                        tally.refused += 1
            sys = [t for t, _, _ in reader.received if t.startswith("$SYS")]
            if topic_filter.startswith("$SYS"):
                tally.attempts += 1
                tally.refused += not sys
                tally.leaked += [f"{user} read {t}" for t in sys]
        return tally

    def writes(self, writers: dict[str, Probe]) -> Tally:
        tally = Tally()
        controls = {
            centre: self.probe(user, "control").subscribe(f"{contract.ROOT}/{centre}/#")
            for centre, user in CENTRES.items()
        }
        topics = [*CANARY_TOPICS, *OUTSIDE]
        for user in ROLES:
            writer = self.probe(user, "w")
            forbidden = [topic for topic in topics if not may_write(user, topic)]
            codes = writer.publish_all(forbidden, lambda t, u=user: f"forged by {u}".encode(), retain=True)
            for topic, code in codes.items():
                tally.attempts += 1
                if code == NOT_AUTHORIZED:
                    tally.refused += 1
                else:
                    tally.leaked.append(f"{user} wrote {topic} (PUBACK {code})")
            allowed = [topic for topic in CANARY_TOPICS if may_write(user, topic)]
            codes = writer.publish_all(allowed, lambda t: b"live allowed", retain=False)
            tally.missing += [f"{user} could not write {t}: {c}" for t, c in codes.items() if c >= 128]
        markers = self.marker(writers)
        for centre, control in controls.items():
            control.wait_for(f"{contract.ROOT}/{centre}/call", markers[centre])
            tally.leaked += [f"delivered: {t} {p!r}" for t, p, _ in control.received if p.startswith(b"forged")]
        # Every canary still in place, as a late subscriber (a device starting up) would read it.
        for centre, user in CENTRES.items():
            late = self.probe(user, "late").subscribe(f"{contract.ROOT}/{centre}/#")
            late.wait_for(f"{contract.ROOT}/{centre}/centre", f"canary {contract.ROOT}/{centre}/centre".encode())
            marker = self.marker(writers)[centre]
            late.wait_for(f"{contract.ROOT}/{centre}/call", marker)
            retained = {t: p for t, p, r in late.received if r}
            for topic in topics_of(centre):
                if retained.get(topic) != b"canary " + topic.encode():
                    tally.leaked.append(f"retained {topic} is now {retained.get(topic)!r}")
        return tally


@pytest.fixture
def matrix_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path / "broker", MATRIX_ROSTER, commands=UNLIMITED).start()
    yield broker
    broker.stop()


def test_no_account_reads_or_writes_what_its_role_may_not(
    matrix_broker: Mosquitto, capsys: pytest.CaptureFixture[str]
) -> None:
    matrix = Matrix(matrix_broker)
    try:
        reads, writes = matrix.run()
    finally:
        matrix.close()
    with capsys.disabled():
        print(f"\nACL matrix, {len(ROLES)} accounts of {len(CENTRES)} centres, {len(CANARY_TOPICS)} canaries:")
        print("  " + reads.line("reads (retained and live)"))
        print("  " + writes.line("writes"))
    assert not reads.missing and not writes.missing, (reads.missing + writes.missing)[:20]
    assert reads.leaked == [] and writes.leaked == [], sorted(
        {leak.split(" through ")[0] for leak in reads.leaked + writes.leaked}
    )
    assert reads.refused == reads.attempts > 0 and writes.refused == writes.attempts > 0


def test_the_matrix_finds_a_leak(tmp_path: Path) -> None:
    """One ACL line too many (a display may read every reply and write announcements): the matrix says so."""
    broker = Mosquitto(tmp_path / "broker", MATRIX_ROSTER, commands=UNLIMITED)
    with (tmp_path / "broker" / "acl").open("a", encoding="utf-8") as acl:
        acl.write(f"pattern read {contract.ROOT}/+/reply/#\npattern write {contract.ROOT}/weicheng/announcements\n")
    broker.start()
    matrix = Matrix(broker)
    try:
        reads, writes = matrix.run()
    finally:
        matrix.close()
        broker.stop()
    assert f"led-wall read {contract.ROOT}/weicheng/reply/kiosk-1 through # (canary)" in reads.leaked
    assert f"kiosk-dg read {contract.ROOT}/weicheng/reply/staff through hall/# (live)" in reads.leaked
    assert f"led-wall wrote {contract.ROOT}/weicheng/announcements (PUBACK 0)" in writes.leaked
    assert any(leak.startswith(f"retained {contract.ROOT}/weicheng/announcements is now") for leak in writes.leaked)


# -- client-id takeover, against a real `hall serve` ------------------------------------------------


def test_no_account_takes_over_another_accounts_connection(
    matrix_broker: Mosquitto, sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every account tries the client id of every other account (and of its runs) while a real `hall
    serve` process is connected: all refused, and the service never loses its connection."""
    log = tmp_path / "serve.log"
    presence = Subscriber(matrix_broker.url("staff"), ["device/service/state"]).wait_subscribed()
    with log.open("wb") as out:
        serve = subprocess.Popen(
            serve_argv(sample_dir, matrix_broker.url("service"), tmp_path / "state.sqlite3"), stdout=out, stderr=out
        )
    try:
        presence.doc_where("device/service/state", lambda doc: doc["status"] == "ready", "the service ready")
        staff = parse_broker_url(matrix_broker.url("staff"))
        assert send_command(staff, ROSTER.centre, "announce", {"text": "开始"}, timeout=WAIT_S * 2)["id"]
        attempts = refused = 0
        for user in ROLES:
            for victim in ROLES:
                if victim == user:
                    continue
                for client_id in (victim, f"{victim}.{uuid.uuid4().hex[:12]}"):
                    attempts += 1
                    refused += _connack_as(matrix_broker, user, client_id) == NOT_AUTHORIZED
        with capsys.disabled():
            print(f"\nclient-id takeover: {attempts} attempts, {refused} refused")
        assert refused == attempts
        assert send_command(staff, ROSTER.centre, "announce", {"text": "仍在线"}, timeout=WAIT_S)["id"]
        statuses = [m.json()["status"] for m in presence.messages if m.payload]
        assert statuses == ["ready"], statuses
    finally:
        presence.close()
        serve.terminate()
        assert serve.wait(WAIT_S) == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    assert sum("已连接到" in line for line in lines) == 1, lines


def _connack_as(broker: Mosquitto, user: str, client_id: str) -> int:
    """The CONNACK reason code `user` gets connecting as `client_id` (driven by hand: paho's own loop
    would retry a refused connection)."""
    result: list[int] = []

    def on_connect(client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        result.append(int(reason_code.value))

    url = parse_broker_url(broker.url(user))
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.username_pw_set(url.username, url.password)
    client.on_connect = on_connect
    client.connect(url.host, url.port)
    deadline = time.monotonic() + WAIT_S
    try:
        while not result and time.monotonic() < deadline and client.loop(timeout=0.5) == mqtt.MQTT_ERR_SUCCESS:
            pass
    finally:
        client.disconnect()
        client.on_connect = None
    assert result, f"{user} as {client_id}: no CONNACK"
    return result[0]


# -- what the service lets each account and person do, against a real service ------------------------

CONSOLE = "staff-2"
PEOPLE = {  # the console's users: name → role, window, staff id, disabled
    "boss": ("manager", None, None, False),
    "li.na": ("staff", "shebao", "s05", False),
    "jiancha": ("supervisor", None, None, False),
    "gone": ("manager", None, None, True),
}
SENDERS = [
    ("staff", None),  # the office's account (the CLI's)
    ("clerk-zonghe", None),  # the comprehensive window's account
    (CONSOLE, None),  # the console's account, naming nobody
    (CONSOLE, "boss"),
    (CONSOLE, "li.na"),
    (CONSOLE, "jiancha"),
    (CONSOLE, "gone"),  # disabled
    (CONSOLE, "nobody"),  # not a user of the console
    ("clerk-zonghe", "boss"),  # a person named by an account that is not the console's
    ("kiosk-1", None),
    ("led-wall", None),
    ("staff-dg", None),  # another centre's staff
]
KINDS = {
    ("staff", None): ("office", None),
    ("clerk-zonghe", None): ("window", "zonghe"),
    (CONSOLE, None): ("looks", None),
    (CONSOLE, "boss"): ("manager", None),
    (CONSOLE, "li.na"): ("staff", "shebao"),
    (CONSOLE, "jiancha"): ("supervisor", None),
    ("kiosk-1", None): ("device", None),
}
"""What each sender is, by the README's table of who may do what (written out here, apart from the code)."""
ANYWHERE = {
    "office": {"view", "call", "window", "status", "announce", "cases"},
    "manager": {"view", "call", "window", "status", "announce", "approve", "cases", "personal"},
    "window": {"view", "announce", "cases"},
    "staff": {"view", "announce", "cases"},
    "looks": {"view"},
    "supervisor": {"view"},
    "device": set(),
}
OWN_WINDOW = {"window": {"call", "window", "status", "personal"}, "staff": {"call", "window", "status", "personal"}}
RIGHTS_CODES = {"not_permitted", "not_own_window", "not_own_announcement", "console_only", "not_in_roster"}


def may_do(sender: tuple[str, str | None], right: str, window: str | None) -> bool:
    kind, own = KINDS[sender]
    return right in ANYWHERE[kind] or (right in OWN_WINDOW.get(kind, set()) and window == own)


@dataclass(frozen=True)
class Try:
    """One command of the matrix: the right it needs, on which window, and what it gives when allowed."""

    name: str
    verb: str
    args: dict[str, Any]
    right: str | None
    window: str | None = None
    console_only: bool = False


EMERGENCY = {"text": "紧急疏散，请听从工作人员指挥", "priority": "emergency", "duration_s": 600}
TRIES = [
    Try("call zonghe", "call", {"window": "zonghe"}, "call", "zonghe"),
    Try("call shebao", "call", {"window": "shebao"}, "call", "shebao"),
    Try("open zonghe", "window", {"window": "zonghe", "state": "open"}, "window", "zonghe"),
    Try("open shebao", "window", {"window": "shebao", "state": "open"}, "window", "shebao"),
    Try("status s03 (zonghe)", "staff", {"staff": "s03", "status": "on_duty"}, "status", "zonghe"),
    Try("status s05 (shebao)", "staff", {"staff": "s05", "status": "on_duty"}, "status", "shebao"),
    Try("emergency", "announce", EMERGENCY, "announce"),
    Try("clear the manager's", "announce", {"clear": "?"}, "approve"),  # not one's own: a manager's right
    Try("approve a pending one", "announce_review", {"id": "?", "decision": "approve"}, "approve", None, True),
    Try("show a zonghe case", "case_show", {"case": "?zonghe"}, "view", "zonghe"),
    Try("show a shebao case", "case_show", {"case": "?shebao"}, "view", "shebao"),
    Try(
        "open a case at zonghe",
        "case_open",
        {"item": "minzheng-dibao", "at": "township", "window": "zonghe"},
        "cases",
        "zonghe",
    ),
    Try("list cases", "case_list", {}, "view"),
    Try("stats", "stats", {}, "view"),
    Try("take a number", "ticket", {"category": "shebao"}, None),
]


def expected(sender: tuple[str, str | None], tried: Try) -> str:
    account, person = sender
    if account in ("led-wall", "staff-dg") or (account == "kiosk-1" and tried.verb not in ("ticket", "case")):
        return "broker refuses"
    if person is not None and account != CONSOLE:
        return "person_not_console"
    if person in ("gone", "nobody"):
        return "unknown_person"
    if tried.right is None:
        return "ok"
    if tried.console_only and account != CONSOLE:
        return "refused"
    own = KINDS[sender][1]
    if tried.verb == "case_open" and own is not None and own != tried.window:
        return "refused"  # staff open cases at their own window only
    if not may_do(sender, tried.right, tried.window):
        return "refused"
    if tried.verb == "announce" and "text" in tried.args:
        return "up at once" if may_do(sender, "approve", None) else "waits for approval"
    if tried.verb == "case_show":
        return "name and phone" if may_do(sender, "personal", tried.window) else "masked"
    return "ok"


class Hall:
    """The matrix's service: approval on, the console's account and people, a case at each of two windows."""

    def __init__(self, broker: Mosquitto, sample: Path, tmp_path: Path, start: Callable[..., Any]) -> None:
        from argon2 import PasswordHasher

        from content.accounts.users import UserStore
        from content.centre.synth import lift_limits

        self.broker = broker
        centre = sample / "centre.yaml"
        centre.write_text(centre.read_text(encoding="utf-8") + "\nannouncements:\n  approval: true\n", "utf-8")
        lift_limits(sample)  # a few hundred commands from one account in a minute: the rates are another test's
        users = UserStore(tmp_path / "users.sqlite3", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        for name, (role, window, staff_id, disabled) in PEOPLE.items():
            users.add(name, role, "a-long-password", window=window, staff_id=staff_id)  # type: ignore[arg-type]
            users.set_disabled(name, disabled)
        self.running = start(sample, roster=MATRIX_ROSTER, console_accounts=frozenset({CONSOLE}), users=users)
        self.cases = {
            "zonghe": self.send(("clerk-zonghe", None), "case_open", self._applicant("zonghe"))["number"],
            "shebao": self.send((CONSOLE, "li.na"), "case_open", self._applicant("shebao"))["number"],
        }

    @staticmethod
    def _applicant(window: str) -> dict[str, Any]:
        return {
            "item": "minzheng-dibao",
            "at": "township",
            "window": window,
            "applicant": "张三丰",
            "phone": "13812345678",
        }

    def send(self, sender: tuple[str, str | None], verb: str, args: dict[str, Any]) -> dict[str, Any]:
        url = parse_broker_url(self.broker.url(sender[0]))
        return send_command(url, ROSTER.centre, verb, args, timeout=WAIT_S, person=sender[1])

    def outcome(self, sender: tuple[str, str | None], tried: Try) -> str:
        """What the service did with `tried` from `sender`, in the words of `expected`."""
        args = dict(tried.args)
        made: list[str] = []
        if args.get("clear") == "?":
            args["clear"] = self.send((CONSOLE, "boss"), "announce", {"text": "经理的公告"})["id"]
            made.append(args["clear"])
        if args.get("id") == "?":
            args["id"] = self.send((CONSOLE, "li.na"), "announce", {"text": "窗口的公告"})["id"]
            made.append(args["id"])
        if str(args.get("case", "")).startswith("?"):
            args["case"] = self.cases[args["case"][1:]]
        try:
            result = self.send(sender, tried.verb, args)
        except CommandFailed as exc:
            if exc.code == "broker_refused":
                return "broker refuses"
            return "refused" if exc.code in RIGHTS_CODES else str(exc.code)
        finally:
            current = {a["id"] for a in self.send((CONSOLE, "boss"), "announce_list", {})["announcements"]}
            for leftover in current:  # the list stays short, whatever the try put up
                self.send((CONSOLE, "boss"), "announce", {"clear": leftover})
        if tried.verb == "announce" and "text" in tried.args:
            return "waits for approval" if result.get("review") == "pending" else "up at once"
        if tried.verb == "case_show":
            if (result["applicant"], result["phone"]) == ("张三丰", "13812345678"):
                return "name and phone"
            assert (result["applicant"], result["phone"]) == ("张**", "138****5678"), result
            return "masked"
        return "ok"


def test_the_service_lets_each_account_and_person_do_what_the_roster_and_the_console_table_say(
    matrix_broker: Mosquitto,
    sample_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every verb of the matrix from every account, and from the console's account for every kind of person,
    against the generated broker configuration and a real service with the roster and the users file: the
    broker refuses what the ACL forbids, the service refuses what the sender's role may not, and an allowed
    announcement waits for approval unless a manager put it up; an applicant's name and phone go to their
    window and the manager only."""
    from tests.conftest import RunningService

    def start(content_dir: Path, **options: Any) -> RunningService:
        return RunningService(content_dir, matrix_broker.url("service"), tmp_path / "state.sqlite3", **options)

    hall = Hall(matrix_broker, sample_dir, tmp_path, start)
    try:
        wrong, counts = [], {"allowed": 0, "refused by the service": 0, "refused by the broker": 0}
        for sender in SENDERS:
            for tried in TRIES:
                want, got = expected(sender, tried), hall.outcome(sender, tried)
                if got != want:
                    wrong.append(f"{sender[0]}{'/' + sender[1] if sender[1] else ''} {tried.name}: {got}, not {want}")
                key = {"broker refuses": "refused by the broker"}.get(want)
                key = key or (
                    "allowed"
                    if want in ("ok", "up at once", "waits for approval", "name and phone", "masked")
                    else "refused by the service"
                )
                counts[key] += 1
        audit = hall.running.store.audit(2000)
    finally:
        hall.running.stop()
    with capsys.disabled():
        print(
            f"\nauthorisation matrix, {len(SENDERS)} senders × {len(TRIES)} commands: "
            + ", ".join(f"{v} {k}" for k, v in counts.items())
        )
    assert wrong == [], wrong
    # Refusals of a right are in the audit log (up to each account's share a minute); a person not believed
    # is not named there.
    refused = [(r["verb"], r["by"], r["reply"]["code"]) for r in audit if not r["reply"].get("ok")]
    assert ("call", "clerk-zonghe", "not_own_window") in refused and ("call", CONSOLE, "not_permitted") in refused
    assert not any(r["person"] in ("gone", "nobody") for r in audit)
