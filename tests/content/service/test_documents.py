from __future__ import annotations

from datetime import datetime, timedelta, timezone

from content.centre.loader import load_content
from content.centre.synth import SAMPLE
from content.service import documents
from content.service.commands import set_staff_status
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
    changed = set_staff_status(Live(), content, {"staff": "s03", "status": "leave"}, "x", NOW).live
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
