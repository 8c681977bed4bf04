"""The kiosk's link against the real Mosquitto and the real content service."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from content.broker.local import Mosquitto, free_port
from content.centre.synth import SAMPLE
from content.shared import contract
from content.shared.broker_url import parse_broker_url
from content.shared.transport import Message
from kiosk.device import CASE_NOT_FOUND, NO_ANSWER, KioskLink, TicketResult
from kiosk.model import KioskModel
from tests.conftest import CENTRE, WAIT_S

KIOSK = "kiosk-1"


def filled(model: KioskModel) -> bool:
    return model.centre is not None and len(model.items) == 30 and bool(model.staff) and bool(model.queue.lines)


@pytest.fixture
def start_link(tmp_path: Path) -> Iterator[Callable[..., KioskLink]]:
    made: list[KioskLink] = []

    def start(url: str | None, cache: Path | None = None, **kwargs: Any) -> KioskLink:
        broker = parse_broker_url(url) if url else None
        link = KioskLink(broker, CENTRE, device_id=KIOSK, cache_dir=cache or tmp_path / "cache", **kwargs)
        link.start()
        made.append(link)
        return link

    yield start
    for link in made:
        link.stop()


def test_the_link_shows_the_centre_and_says_ready(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Any],
    start_link: Callable[..., KioskLink],
) -> None:
    start_service(sample_dir)
    presence = subscribe([f"device/{KIOSK}/state"], user="staff")
    changes = threading.Semaphore(0)
    link = start_link(broker.url(KIOSK), on_change=changes.release)
    model = link.wait_for(lambda m: filled(m) and not m.stale, WAIT_S)
    assert model is not None, f"the kiosk never filled: {link.poll()}"
    assert changes.acquire(timeout=WAIT_S)
    assert model.centre is not None and model.centre.short_name == "魏城镇便民服务中心"
    assert model.search("sb")  # the search index came with the catalog
    assert model.guide_url("canlian-canjiren-zheng") == "http://hall.weicheng.local:8080/g/canlian-canjiren-zheng"
    ready = presence.doc_where(f"device/{KIOSK}/state", lambda d: d["status"] == "ready", "ready")
    assert ready["kind"] == "kiosk"
    # The revs it shows reach the presence once the documents have arrived.
    presence.doc_where(
        f"device/{KIOSK}/state",
        lambda d: d["status"] == "ready" and d["revs"].get("catalog") == model.revs["catalog"],
        "ready with the catalog rev",
    )
    seen = presence.mark()
    link.stop()
    presence.doc_where(f"device/{KIOSK}/state", lambda d: d["status"] == "disconnected", "disconnected", seen)


def test_photos_are_cached_by_their_hash(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Any],
    start_link: Callable[..., KioskLink],
) -> None:
    photo = (SAMPLE / "photos" / "s01.png").read_bytes()
    sha = hashlib.sha256(photo).hexdigest()
    forged = hashlib.sha256(b"another picture").hexdigest()
    publisher = subscribe([], user="service")
    publisher.publish(contract.media_topic(forged), photo, retain=True)
    start_service(sample_dir)
    link = start_link(broker.url(KIOSK))
    model = link.wait_for(lambda m: filled(m) and all(s.photo in m.media for s in m.staff), WAIT_S)
    assert model is not None, "the photos never arrived"
    path = link.media_path(sha)
    assert path is not None and path.read_bytes() == photo
    assert forged not in model.media and link.media_path(forged) is None


def test_take_ticket_returns_a_number(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    start_link: Callable[..., KioskLink],
) -> None:
    start_service(sample_dir)
    link = start_link(broker.url(KIOSK))
    called = threading.Event()
    got: list[TicketResult] = []
    result = link.take_ticket("shebao", "elderly", callback=lambda r: (got.append(r), called.set())).result(WAIT_S)
    assert result.ok, result
    assert result.ticket == "A001" and result.ahead == 0 and result.priority_name == "老年人"
    assert result.message.startswith("您的号码是 A001")
    assert result.url and "/q/" in result.url
    assert called.wait(WAIT_S) and got == [result]
    # A retry with the same command id gets the same number, not a second one.
    again = link.take_ticket("shebao", "elderly", command_id=result.command_id).result(WAIT_S)
    assert again.ticket == "A001"
    assert link.wait_for(lambda m: (line := m.queue.line("shebao")) is not None and line.waiting == 1, WAIT_S)
    refused = link.take_ticket("no-such-category").result(WAIT_S)
    assert not refused.ok and not refused.retry and "没有类别" in refused.detail
    case = link.lookup_case("2612040001", "0000").result(WAIT_S)
    assert not case.ok and case.message == CASE_NOT_FOUND


def test_no_service_gives_the_no_answer_message(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    start_link: Callable[..., KioskLink],
) -> None:
    service = start_service(sample_dir)
    link = start_link(broker.url(KIOSK))
    assert link.wait_for(lambda m: filled(m) and not m.stale, WAIT_S)
    service.stop()
    assert link.wait_for(lambda m: m.stale, WAIT_S), "the service's disconnect never made the kiosk stale"
    result = link.take_ticket("shebao", timeout=1.5).result(WAIT_S)
    assert not result.ok and result.retry and result.message == NO_ANSWER
    assert result.command_id


def test_it_starts_from_its_cache_without_a_broker(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    start_link: Callable[..., KioskLink],
    tmp_path: Path,
) -> None:
    start_service(sample_dir)
    first = start_link(broker.url(KIOSK), tmp_path / "cache")
    shown = first.wait_for(lambda m: filled(m) and len(m.media) == 10, WAIT_S)
    assert shown is not None
    first.stop()
    offline = start_link(f"mqtt://{KIOSK}:x@127.0.0.1:{free_port()}", tmp_path / "cache")
    model = offline.wait_for(filled, WAIT_S)
    assert model is not None, "the cached content was not shown"
    assert model.stale and not model.connected
    assert model.revs == shown.revs and len(model.revs) == 6
    assert model.media == shown.media and model.index is not None
    result = start_link(None, tmp_path / "cache").take_ticket("shebao").result(WAIT_S)
    assert result.message == NO_ANSWER


def test_a_burst_of_updates_is_applied_once(tmp_path: Path) -> None:
    changes: list[KioskModel] = []
    link = KioskLink(None, CENTRE, device_id=KIOSK, cache_dir=tmp_path / "cache")
    link.on_change = lambda: changes.append(link.poll())
    link._receive(Message("queue", b"{broken", 0, 1, True))  # replaced by the burst that follows
    for waiting in range(50):
        body = {"categories": [{"id": "shebao", "name": "社会保障", "prefix": "A", "waiting": waiting}], "windows": []}
        payload = contract.encode({**body, "schema": 1, "rev": str(waiting)})
        link._receive(Message("queue", payload, 0, 1, True))
    link.start()
    try:
        model = link.wait_for(lambda m: bool(m.queue.lines), WAIT_S)
        assert model is not None
        assert len(changes) == 2  # the cache (empty), then one batch
        assert model.queue.lines[0].waiting == 49 and model.revs == {"queue": "49"}
        assert (tmp_path / "cache" / "queue.json").is_file()
    finally:
        link.stop()


def test_a_refusal_with_a_reason_is_worded_for_the_citizen(tmp_path: Path) -> None:
    from content.shared.broker_url import parse_broker_url
    from content.shared.client import CommandFailed

    def refuse(*_: Any, **__: Any) -> dict[str, Any]:
        raise CommandFailed("kiosk-1 has taken 10 numbers in the last minute", "rate_limited")

    link = KioskLink(
        parse_broker_url("mqtt://kiosk-1:x@127.0.0.1:9"),
        CENTRE,
        device_id=KIOSK,
        cache_dir=tmp_path / "cache",
        sender=refuse,
    )
    result = link.take_ticket("shebao").result(WAIT_S)
    assert not result.ok and not result.retry and result.message == "本机取号太频繁，请稍候一分钟再取号"
