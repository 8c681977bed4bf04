"""The service's intake: its own events first, commands fair between accounts, every line bounded."""

from __future__ import annotations

from content.service.intake import Intake, Shed
from content.shared.transport import Message


def _cmd(account: str, n: int, qos: int = 1) -> Message:
    return Message(f"cmd/ticket/{account}", b"{}", mid=n, qos=qos, retain=False)


def test_a_flooding_account_fills_only_its_own_line_and_waits_its_turn() -> None:
    shed: list[Shed] = []
    intake: Intake[str] = Intake(shed.append, per_account=4)
    for n in range(100):
        intake.put(_cmd("kiosk-1", n))
    intake.put(_cmd("staff", 1000))
    intake.put(_cmd("staff", 1001))
    assert intake.waiting() == {"kiosk-1": 4, "staff": 2}
    assert [s.why for s in shed] == ["full"] * 96 and {s.account for s in shed} == {"kiosk-1"}
    taken = [intake.get(0) for _ in range(6)]
    senders = [m.topic.rsplit("/", 1)[1] for m in taken if isinstance(m, Message)]
    # staff's first waits behind one of kiosk-1's, not behind the flood
    assert senders == ["kiosk-1", "staff", "kiosk-1", "staff", "kiosk-1", "kiosk-1"]
    assert intake.get(0) is None and intake.empty()


def test_its_own_events_go_before_any_command() -> None:
    intake: Intake[str] = Intake(lambda shed: None)
    for n in range(10):
        intake.put(_cmd("kiosk-1", n))
    intake.put("stop")
    assert intake.get(0) == "stop"


def test_commands_at_qos_0_are_not_taken() -> None:
    shed: list[Shed] = []
    intake: Intake[str] = Intake(shed.append)
    intake.put(_cmd("kiosk-1", 0, qos=0))
    assert intake.empty() and [s.why for s in shed] == ["qos0"]


def test_accounts_waiting_at_once_are_bounded() -> None:
    shed: list[Shed] = []
    intake: Intake[str] = Intake(shed.append, accounts=3)
    for n in range(5):
        intake.put(_cmd(f"a{n}", n))
    assert len(intake.waiting()) == 3 and [s.account for s in shed] == ["a3", "a4"]


def test_other_messages_are_the_service_s_own() -> None:
    intake: Intake[str] = Intake(lambda shed: None, per_account=1)
    for n in range(3):
        intake.put(Message("device/x/state", b"{}", n, 1, False))
    assert [intake.get(0) is not None for _ in range(3)] == [True] * 3
