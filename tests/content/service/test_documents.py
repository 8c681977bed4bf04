from __future__ import annotations

from datetime import datetime, timedelta, timezone

from content.centre.loader import load_content
from content.centre.synth import SAMPLE
from content.queue import rules as q
from content.service import documents
from content.service.commands.base import Context
from content.service.commands.staff import set_staff_status
from content.service.live import Live
from content.shared import contract

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_documents_follow_the_contract() -> None:
    content = load_content(SAMPLE).content
    assert content is not None
    docs = documents.all_documents(content, Live(), NOW)
    assert set(docs) == set(contract.STATE_TOPICS)
    catalog = docs["catalog"]
    item = catalog["items"][0]
    for key in (
        "name",
        "category",
        "department",
        "windows",
        "instant",
        "limits",
        "fee",
        "documents",
        "steps",
        "basis",
        "phone",
        "tiers",
    ):
        assert key in item
    assert {"id", "name", "prefix"} <= set(catalog["categories"][0])
    centre = docs["centre"]
    for key in ("name", "tier", "parent", "address", "hours", "hotline", "complaint_phone", "windows", "rules"):
        assert key in centre
    member = docs["staff"]["staff"][0]
    assert len(member["photo"]) == 64  # a sha256 of the photo, published under media/<sha256>
    assert member["photo"] in {m.sha256 for m in content.media.values()}
    assert docs["queue"]["last_calls"] == []


def test_rev_changes_with_content_not_with_time() -> None:
    content = load_content(SAMPLE).content
    assert content is not None
    body = documents.staff(content, Live())
    a = contract.state_document(body, NOW)
    b = contract.state_document(body, NOW + timedelta(hours=1))
    assert a["rev"] == b["rev"] and a["ts"] != b["ts"]
    changed = set_staff_status(Context(Live(), content, {"staff": "s03", "status": "leave"}, "x", NOW)).live
    assert contract.state_document(documents.staff(content, changed), NOW)["rev"] != a["rev"]
    assert a["ts"] == "2026-11-27T09:30:00+08:00"


def test_content_that_would_make_a_document_too_big_for_a_device_is_named() -> None:
    import dataclasses

    content = load_content(SAMPLE).content
    assert content is not None
    assert documents.oversized(content, NOW) == []
    long = ["步" * 2000] * 5
    items = tuple(
        item.model_copy(update={"id": f"{item.id}-{k}", "steps": long}) for k in range(15) for item in content.items
    )
    (problem,) = documents.oversized(dataclasses.replace(content, items=items), NOW)
    assert problem.startswith("the catalog document would be ") and "more than the 4 MB a device reads" in problem


def test_statistics_at_rest_ask_for_no_wake_up() -> None:
    """Once the statistics are current, nothing is due: a moment in the past would spin the service's loop."""
    content = load_content(SAMPLE).content
    assert content is not None
    cache = documents.DocumentCache()
    live = Live()
    cache.build(content, live, NOW)
    for later in (NOW + timedelta(seconds=10), NOW + timedelta(minutes=5), NOW + timedelta(hours=3)):
        cache.build(content, live, later)
        assert cache.next_due(later) - later >= timedelta(hours=1)


def test_statistics_changed_while_throttled_are_due_at_the_end_of_the_throttle() -> None:
    content = load_content(SAMPLE).content
    assert content is not None
    cache = documents.DocumentCache()
    cache.build(content, Live(), NOW)
    day = q.service_day(NOW, content.centre.queue)
    ticket = q.Ticket(number="A001", day=day, category="shebao", priority=None, issued=NOW)
    busier = Live(queue=q.QueueState(day=day, tickets={"A001": ticket}))
    soon = NOW + timedelta(seconds=3)
    stale = cache.build(content, busier, soon)["stats"]
    assert cache.next_due(soon) == NOW + documents.DocumentCache.STATS_EVERY
    due = cache.next_due(soon)
    fresh = cache.build(content, busier, due)["stats"]
    assert fresh[1] != stale[1] and cache.next_due(due) - due >= timedelta(hours=1)
