"""The kiosk's model, from documents built by the real service functions on the sample centre."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from content.centre import schema
from content.centre.loader import Content
from content.centre.synth import SAMPLE
from content.service import documents
from content.service.commands.announcements import announce
from content.service.commands.base import Context
from content.service.live import Live
from content.shared import contract
from content.shared import limits as cap
from content.shared.wording import format_days, format_document, format_limits
from kiosk import viewmodel as vm
from kiosk.cache import KioskCache
from kiosk.model import SERVICE_PRESENCE, KioskModel, guide_url

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def payloads(content: Content, live: Live | None = None) -> dict[str, bytes]:
    docs = documents.all_documents(content, live or Live(), NOW)
    return {topic: contract.encode(contract.state_document(body, NOW)) for topic, body in docs.items()}


def full_model(content: Content, live: Live | None = None) -> KioskModel:
    model = KioskModel()
    for topic, payload in payloads(content, live).items():
        model = model.apply(topic, payload)
    return model


def test_the_sample_centre_reads_completely(content: Content) -> None:
    model = full_model(content)
    assert model.centre is not None
    assert model.centre.name == "绵阳市游仙区魏城镇便民服务中心"
    assert model.centre.short_name == "魏城镇便民服务中心"
    assert model.centre.hours == ("周一至周五 09:00–12:00、14:00–17:30", "周六 09:00–12:00")
    assert model.centre.hotline == "0816-2731000" and model.centre.complaint_phone == "0816-2731012"
    assert len(model.centre.windows) == 6 and len(model.centre.rules) == 12
    assert len(model.items) == 30 and len(model.categories) == 11
    assert sum(len(c.items) for c in model.categories) == 30
    assert sum(item.instant for item in model.items.values()) == 14
    assert len(model.staff) == 10 and len(model.agents) == 15
    assert {line.prefix for line in model.queue.lines} == {c.prefix for c in model.categories}
    assert set(model.revs) == {"centre", "catalog", "staff", "agents", "queue", "announcements"}
    assert model.stale  # nothing said we are connected, nor that the service runs


def test_limits_and_documents_are_text_for_people(content: Content) -> None:
    model = full_model(content)
    card = model.items["canlian-canjiren-zheng"]
    assert card.limits == "承诺 8 个工作日（法定 20 个工作日）；代办 13 个工作日"
    assert [row.text for row in card.documents] == [
        "居民身份证或户口簿 — 原件和复印件各1份",
        "近期二寸免冠白底彩色照片 — 原件3份",
        "《中华人民共和国残疾人证申请表》 — 原件1份",
        "病历、诊断证明等医疗资料 — 复印件1份（有则提供，便于评定）",
    ]
    assert card.tier_names == ("村(社区)代办点", "乡镇(街道)便民服务中心", "区政务服务中心")
    assert card.steps and card.basis and card.phone == "0816-2731003"
    instant = model.items["dangwu-guanxi-zhuanjie"]
    assert instant.limits.startswith("即办件，当场办结")
    assert format_limits(True, 0, 0, None) == "即办件，当场办结"
    assert format_document("户口簿", "copy", 2, "") == "户口簿 — 复印件2份"
    assert format_days(("mon", "wed")) == "周一、周三"
    assert format_days(("sun", "sat", "fri", "thu", "wed", "tue", "mon")) == "每天"


def test_the_guide_gathers_windows_agents_and_its_url(content: Content) -> None:
    model = full_model(content)
    guide = model.guide("canlian-canjiren-zheng")
    assert guide is not None
    assert guide.window_names == ("民政窗口", "综合窗口")
    assert guide.category_name == "残疾人服务"
    assert guide.agents and all(a.tier_name == "村(社区)代办点" for a in guide.agents)
    assert guide.url == "http://hall.weicheng.local:8080/g/canlian-canjiren-zheng"
    assert guide_url(model.centre, "x y") == "http://hall.weicheng.local:8080/g/x%20y"
    assert guide_url(None, "x") is None
    assert model.guide("nope") is None
    assert [item.id for item in model.items_of("canlian")] == list(model.category("canlian").items)  # type: ignore[union-attr]


def test_staff_status_names_and_photos(content: Content) -> None:
    model = full_model(content)
    names = {m.id: m.status_name for m in model.staff}
    assert names["s01"] == "暂离" and names["s02"] == "在岗"
    assert all(m.photo and len(m.photo) == 64 for m in model.staff)
    assert model.window_name(model.staff[2].window) != ""


def test_search_is_built_once_per_catalog_rev(content: Content) -> None:
    built: list[object] = []
    model = full_model(content)
    assert model.index is not None
    assert model.search("残疾证")[0].id == "canlian-canjiren-zheng"
    catalog = payloads(content)["catalog"]
    from kiosk.search import IndexCache, SearchIndex

    def build(doc: object) -> SearchIndex:
        built.append(doc)
        return SearchIndex.from_catalog(doc)

    counted = KioskModel(indexes=IndexCache(build))
    once = counted.apply("catalog", catalog)
    twice = once.apply("catalog", catalog).apply("queue", payloads(content)["queue"])
    assert twice.index is once.index and len(built) == 1
    changed = json.loads(catalog)
    changed["items"] = changed["items"][:3]
    changed["rev"] = "other"
    assert len(twice.apply("catalog", json.dumps(changed).encode()).items) == 3
    assert len(built) == 2


def test_announcements_ticker_and_emergency(content: Content) -> None:
    live = Live()
    args: list[dict[str, Any]] = [
        {"text": "今天逢场，各窗口全员在岗", "priority": "normal"},
        {"text": "大厅停电，请有序离开", "priority": "emergency", "duration_s": 1800},
        {"text": "只给LED看", "targets": ["led"]},
    ]
    for arg in args:
        live = announce(Context(live, content, arg, "staff", NOW)).live
    model = full_model(content, live)
    assert model.announcements.ticker(NOW, "kiosk") == "今天逢场，各窗口全员在岗"
    emergency = model.announcements.emergency(NOW, "kiosk")
    assert emergency is not None and emergency.text == "大厅停电，请有序离开"
    assert model.announcements.emergency(NOW + timedelta(hours=1), "kiosk") is None  # run out while offline


def test_presence_and_connection_make_it_stale_or_not(content: Content) -> None:
    model = full_model(content).with_connection(True)
    assert model.stale
    ready = model.apply(SERVICE_PRESENCE, contract.encode(contract.device_state("ready", "service", "b", NOW)))
    assert not ready.stale
    lost = ready.apply(SERVICE_PRESENCE, contract.encode(contract.device_state("lost", "service", "b", NOW)))
    assert lost.stale
    assert ready.with_connection(False).stale
    with pytest.raises(contract.PayloadError):
        ready.apply(SERVICE_PRESENCE, b'{"schema":1,"status":"sleepy"}')


HOSTILE: list[Any] = [
    b"",
    b"\xff\xfe\x00",
    b"{not json",
    b"[]",
    b'{"schema": 2, "items": []}',
    {"schema": 1},
    {"schema": 1, "items": "everything", "categories": {"a": 1}, "staff": 5, "agents": None, "announcements": 1},
]


@pytest.mark.parametrize("payload", HOSTILE)
@pytest.mark.parametrize("topic", ["centre", "catalog", "staff", "agents", "queue", "announcements"])
def test_a_payload_that_is_not_a_document_leaves_the_model(content: Content, topic: str, payload: Any) -> None:
    model = full_model(content)
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    with pytest.raises(contract.PayloadError):
        model.apply(topic, raw)


ROWS: list[Any] = [
    {"schema": 1, "name": "𠮷" * 5000, "windows": [None, 1, {"id": {"x": 1}}], "hours": [{"days": "mon"}]},
    {"schema": 1, "categories": [None, {"id": 5}], "items": [1, {"id": "a"}, {"id": "b", "name": "x" * 10**6}]},
    {"schema": 1, "staff": [{"name": "张三", "status": "dancing", "photo": "../../etc/passwd", "window": 7}]},
    {"schema": 1, "categories": [{"id": "x", "waiting": -5, "estimated_wait_min": "soon"}], "windows": ["no", 5]},
    {"schema": 1, "announcements": [{"text": 7}, {"text": "ok", "priority": "panic", "expires": "tomorrow"}]},
    {"schema": 1, "agents": [{"name": "李四", "tier": ["village"]}, "x"]},
]


@pytest.mark.parametrize("doc", ROWS)
def test_wrong_rows_and_fields_are_skipped(content: Content, doc: dict[str, Any]) -> None:
    model = full_model(content)
    for topic in ("centre", "catalog", "staff", "agents", "queue", "announcements"):
        try:
            updated = model.apply(topic, json.dumps(doc).encode())
        except contract.PayloadError:
            continue
        assert isinstance(updated, KioskModel)
    centre = model.apply("centre", json.dumps(ROWS[0]).encode()).centre
    assert centre is not None and len(centre.name) == 100 and centre.windows == () and centre.hours == ()
    staff = model.apply("staff", json.dumps(ROWS[2]).encode()).staff
    assert staff[0].photo is None and staff[0].status_name == "" and staff[0].window is None
    catalog = model.apply("catalog", json.dumps(ROWS[1]).encode())
    assert list(catalog.items) == ["b"] and len(catalog.items["b"].name) == 120
    queue = model.apply("queue", json.dumps(ROWS[3]).encode()).queue
    assert queue.lines[0].waiting == 0 and queue.lines[0].estimate_min is None
    shown = model.apply("announcements", json.dumps(ROWS[4]).encode()).announcements
    assert shown.ticker(NOW, "kiosk") == "ok"


def test_unknown_topics_are_ignored(content: Content) -> None:
    model = full_model(content)
    assert model.apply("call", b"garbage") is model
    assert model.apply("stats", b"garbage") is model


def test_cache_keeps_documents_and_only_media_that_match_their_hash(tmp_path: Path, content: Content) -> None:
    import hashlib

    cache = KioskCache(tmp_path / "cache")
    docs = payloads(content)
    for topic in ("centre", "catalog"):
        assert cache.store(topic, docs[topic])
    assert cache.load() == {"centre": docs["centre"], "catalog": docs["catalog"]}
    photo = (SAMPLE / "photos" / "s01.png").read_bytes()
    sha = hashlib.sha256(photo).hexdigest()
    assert not cache.store_media(sha, photo + b"x")
    assert cache.media_path(sha) is None
    assert cache.store_media(sha, photo)
    assert cache.media_path(sha) is not None and cache.load_media() == {sha}
    assert not cache.store_media("../" + sha[3:], photo)
    (cache.media_dir / sha).write_bytes(b"damaged")
    assert cache.load_media() == frozenset() and cache.media_path(sha) is None
    assert not list(cache.directory.glob(".*.tmp"))


def test_view_functions_for_the_screens(content: Content) -> None:
    from kiosk import viewmodel as vm

    model = full_model(content)
    tiles = vm.home_tiles(model)
    assert len(tiles) == 11 and tiles[0].name == "社会保障" and tiles[0].caption == "无需等候"
    assert vm.waiting_caption(3, 24) == "正在等候 3 人，约 24 分钟"
    assert (
        vm.waiting_caption(3, 24, tile=True) == "等候 3 人\n约 24 分钟"
        and vm.waiting_caption(2, None) == "正在等候 2 人"
    )
    rows = vm.item_rows(model, "dangwu")
    assert any(row.marker == "即办" for row in rows)
    guide = model.guide("canlian-canjiren-zheng")
    assert guide is not None
    titles = [section.title for section in vm.guide_sections(guide)]
    assert titles[:4] == ["办理窗口", "办理时限", "收费标准", "申请材料"] and "村(社区)代办员" in titles
    assert vm.staff_rows(model)[1].status == "在岗"
    assert vm.is_idle(0.0, 90.0) and not vm.is_idle(0.0, 89.9)
    assert vm.text_scale(True) > vm.text_scale(False) == 1.0
    assert vm.stale_marker(model) == "信息可能不是最新"


def test_attract_slides_and_which_is_due(content: Content) -> None:
    from kiosk import viewmodel as vm

    live = Live()
    for arg in ({"text": "本周六上午正常办公"}, {"text": "大厅停电", "priority": "emergency"}):
        live = announce(Context(live, content, arg, "staff", NOW)).live
    model = full_model(content, live)
    slides = vm.attract_slides(model, NOW)
    guides = [s for s in slides if s.kind == "guide"]
    assert len(guides) == vm.ATTRACT_GUIDES
    first = model.items_of(model.categories[0].id)[0]
    assert guides[0] == vm.Slide("guide", first.name, first.limits, "点击查看办事指南", first.id)
    assert [s.text for s in slides if s.kind == "announcement"] == ["本周六上午正常办公"]  # no emergency
    assert slides[-1].kind == "announcement"
    assert vm.attract_slides(KioskModel()) == ()

    n = len(slides)
    assert vm.attract_index(0.0, 59.9, n) is None  # not idle long enough
    assert vm.attract_index(0.0, 60.0, n) == 0
    assert vm.attract_index(0.0, 67.9, n) == 0 and vm.attract_index(0.0, 68.0, n) == 1
    assert vm.attract_index(0.0, 60.0 + 8.0 * n, n) == 0  # round again
    assert vm.attract_index(0.0, 1000.0, 0) is None
    assert vm.attract_index(10.0, 12.0, 3, after_s=2, slide_s=1) == 0


def test_even_rows_makes_each_row_as_tall_as_its_tallest() -> None:
    from kiosk.viewmodel import even_rows

    assert even_rows([200, 260, 230, 210, 190], 2, 190) == [260, 260, 230, 230, 190]
    assert even_rows([100, 150, 120], 3, 190) == [190, 190, 190]
    assert even_rows([100, 150], 0) == [100, 150]  # no columns yet: one a row
    assert even_rows([], 2) == []


def test_who_is_on_duty_at_each_window(content: Content) -> None:
    from content.service.commands.staff import set_staff_status
    from content.service.commands.windows import window
    from kiosk import viewmodel as vm

    rows = vm.duty_rows(full_model(content))
    assert [r.window for r in rows[:2]] == ["1号 综合窗口", "2号 社会保障窗口"]
    assert rows[0] == vm.DutyRow("1号 综合窗口", "陈静、张磊", "", True)
    assert rows[2].names == "何建华"  # 罗俊 is on leave
    assert rows[-1] == vm.DutyRow("中心值班", "李秀英", "", True)  # on duty, no window; 王志强 is away

    live = Live()
    for args in ({"staff": "s05", "status": "away", "substitute": "s04"}, {"staff": "s10", "status": "leave"}):
        live = set_staff_status(Context(live, content, args, "staff", NOW)).live
    live = window(
        Context(live, content, {"window": "nongye", "state": "pause", "reason": "下村办件"}, "staff", NOW)
    ).live
    model = full_model(content, live)
    rows = vm.duty_rows(model)
    by_window = {r.window: r for r in rows}
    assert by_window["2号 社会保障窗口"].names == "张磊（代刘小燕）"
    assert by_window["6号 国土村建窗口"] == vm.DutyRow("6号 国土村建窗口", "暂无人员在岗", "", False)
    assert by_window["4号 农业农村窗口"].note == "暂停办理：下村办件"
    status = {r.name: r.status for r in vm.staff_rows(model)}
    assert status["刘小燕"] == "暂离，由张磊代岗" and status["蒋文斌"] == "请假" and status["张磊"] == "在岗"
    assert vm.duty_rows(KioskModel()) == ()


def test_a_notice_outside_opening_hours(content: Content) -> None:
    from content.shared.when import Session, is_open, read_sessions
    from kiosk.viewmodel import closed_notice

    model = full_model(content)
    assert model.centre is not None
    assert model.centre.sessions[0] == Session(("mon", "tue", "wed", "thu", "fri"), "09:00", "12:00")
    assert closed_notice(model, NOW) == ""  # Friday 09:30
    lunch = NOW.replace(hour=12, minute=0)
    assert closed_notice(model, lunch) == (
        "现在不是办公时间，今天 14:00 开始办理。办公时间：周一至周五 09:00–12:00、14:00–17:30；周六 09:00–12:00"
    )
    assert closed_notice(model, NOW.replace(hour=17, minute=29)) == ""
    assert closed_notice(model, NOW.replace(hour=17, minute=30)).startswith("今天的办公时间已结束。办公时间：")
    assert closed_notice(model, NOW.replace(hour=6)).startswith("现在不是办公时间，今天 09:00 开始办理。")
    assert closed_notice(model, NOW + timedelta(days=2)).startswith("今天的办公时间已结束。")  # Sunday
    assert closed_notice(model, lunch, with_hours=False) == "现在不是办公时间，今天 14:00 开始办理。"
    assert closed_notice(KioskModel(), lunch) == ""  # nothing known: no notice
    assert is_open((), lunch)  # no hours published: always open
    rows = [{"days": ["mon", "funday"], "open": "08:00", "close": "09:00"}, {"days": ["tue"], "open": "9", "close": 5}]
    assert read_sessions(rows) == (Session(("mon",), "08:00", "09:00"),)


@pytest.mark.parametrize("zone", ["Asia", "Asia/Nowhere", "../../etc/passwd", 8])
def test_a_centre_whose_time_zone_is_none_is_refused_and_the_last_good_one_stays(
    content: Content, zone: object
) -> None:
    good = payloads(content)["centre"]
    model = KioskModel().apply("centre", good)
    bad = json.loads(good)
    bad["timezone"] = zone
    with pytest.raises(contract.PayloadError, match="这个时区"):
        model.apply("centre", json.dumps(bad).encode())
    assert model.centre is not None and model.centre.now().tzinfo is not None


def _with_item(content: Content, **fields: Any) -> Content:
    """The sample centre with its first item changed, checked as `hall check` checks it."""
    first = content.items[0].model_dump(mode="json")
    item = schema.Item.model_validate({**first, **fields}, strict=False)
    return dataclasses.replace(content, items=(item, *content.items[1:]))


@pytest.mark.parametrize("length", [1000, 2000])
def test_what_hall_check_accepts_the_guide_shows_whole(content: Content, length: int) -> None:
    """The kiosk's bounds are the schema's (content.shared.limits): a step, the basis, a fee and a
    document's note as long as `hall check` lets them be reach the guide screen to the last character."""
    step, basis = "办" * (length - 1) + "终", "依" * (length - 1) + "据"
    fee, note = "费" * (cap.NOTE - 1) + "止", "注" * (cap.NOTE - 1) + "尾"
    document = {"name": "居民身份证", "form": "original", "copies": 1, "note": note}
    changed = _with_item(content, steps=[step, "二"], basis=basis, fee=fee, documents=[document])
    model = full_model(changed)
    item = model.items[content.items[0].id]
    assert item.steps == (step, "二") and item.basis == basis
    assert item.fee == fee and item.documents[0].note == note
    guide = model.guide(item.id)
    assert guide is not None
    lines = [line for section in vm.guide_sections(guide) for line in section.lines]
    assert f"1. {step}" in lines and basis in lines and fee in lines
    assert f"居民身份证 — 原件1份（{note}）" in lines
    assert not any("…" in line for line in lines)


@pytest.mark.parametrize("length", [cap.NOTE + 1, 2000])
def test_a_fee_or_note_longer_than_hall_check_allows_is_cut_with_a_mark(content: Content, length: int) -> None:
    """A fee or a note has a shorter bound than a step: `hall check` refuses one past it, so only a
    document that did not come from checked content has one, and the kiosk shows it cut, marked "…"."""
    for field in ("fee", "steps"):
        long = "费" * length if field == "fee" else ["办" * (cap.LONG + 1)]
        with pytest.raises(ValidationError, match="at most"):
            _with_item(content, **{field: long})
    doc = json.loads(payloads(content)["catalog"])  # a retained catalog that no checked content made
    first = doc["items"][0]
    first.update(fee="费" * length, steps=["办" * (cap.LONG + length)])
    first["documents"][0]["note"] = "注" * length
    item = full_model(content).apply("catalog", json.dumps(doc).encode()).items[first["id"]]
    assert item.fee == "费" * (cap.NOTE - 1) + "…" and len(item.fee) == cap.NOTE
    assert item.documents[0].note == "注" * (cap.NOTE - 1) + "…"
    assert item.steps == ("办" * (cap.LONG - 1) + "…",)


def test_an_empty_category_says_there_is_nothing_yet_and_where_to_ask(content: Content) -> None:
    empty = schema.Category(id="xinban", name="新办事项", prefix="Z")
    model = full_model(dataclasses.replace(content, categories=(*content.categories, empty)))
    assert model.items_of("xinban") == () and vm.item_rows(model, "xinban") == ()
    notice = "本类事项暂未上线。请到 1 号综合窗口咨询，或拨打咨询电话 0816-2731000。"
    assert vm.category_notice(model, "xinban") == notice
    assert vm.category_notice(model, "nowhere") == notice  # a category gone since the screen opened
    assert vm.category_notice(model, "shebao") == ""


def _comprehensive(content: Content, windows: list[schema.Window]) -> str | None:
    centre = content.centre.model_copy(update={"windows": windows})
    window = full_model(dataclasses.replace(content, centre=centre)).comprehensive_window()
    return window.id if window is not None else None


def test_the_comprehensive_window_is_found_by_its_flag_else_by_its_name(content: Content) -> None:
    assert _comprehensive(content, list(content.centre.windows)) == "zonghe"
    flagged = [w.model_copy(update={"comprehensive": w.id == "guotu"}) for w in content.centre.windows]
    assert _comprehensive(content, flagged) == "guotu"
    unflagged = [w.model_copy(update={"comprehensive": False}) for w in content.centre.windows]
    assert _comprehensive(content, unflagged) == "zonghe"  # 综合窗口, by its name
    others = [w for w in unflagged if w.id != "zonghe"]
    assert _comprehensive(content, others) is None
    centre = content.centre.model_copy(update={"windows": others})
    model = full_model(dataclasses.replace(content, centre=centre))
    nowhere = "本类事项暂未上线。请向大厅工作人员咨询，或拨打咨询电话 0816-2731000。"
    assert vm.category_notice(model, "xinban") == nowhere
    assert vm.category_notice(KioskModel(), "xinban") == "本类事项暂未上线。请向大厅工作人员咨询。"


def test_empty_category_wording() -> None:
    from content.shared.wording import empty_category_notice

    assert empty_category_notice("综合窗口", 1, "0816-2731000") == (
        "本类事项暂未上线。请到 1 号综合窗口咨询，或拨打咨询电话 0816-2731000。"
    )
    assert empty_category_notice("综合窗口") == "本类事项暂未上线。请到综合窗口咨询。"
    assert (
        empty_category_notice(hotline="0816-2731000")
        == "本类事项暂未上线。请向大厅工作人员咨询，或拨打咨询电话 0816-2731000。"
    )


def test_the_staff_board_groups_agents_by_tier(content: Content) -> None:
    groups = vm.agent_groups(full_model(content))
    assert [g.heading for g in groups] == ["村(社区)代办员", "乡镇(街道)代办员", "区级代办员"]
    assert [len(g.lines) for g in groups] == [11, 2, 2]
    village, township, district = groups
    assert village.lines[0] == "魏城镇魏城社区　邓国平　0816-2731201"
    assert [line.split("　")[1] for line in township.lines] == ["张磊", "邓海燕"]
    assert [line.split("　")[1] for line in district.lines] == ["黄伟", "吴婷"]
    assert not any("张磊" in line or "黄伟" in line for line in village.lines)

    # The groups keep the tiers' order whatever the document's; a tier without agents has no heading.
    reordered = dataclasses.replace(
        content, agents=tuple(reversed([a for a in content.agents if a.tier != "township"]))
    )
    groups = vm.agent_groups(full_model(reordered))
    assert [g.heading for g in groups] == ["村(社区)代办员", "区级代办员"]
    assert groups[1].lines[0].split("　")[1] == "吴婷"  # the document's order within a tier
    only_district = dataclasses.replace(content, agents=tuple(a for a in content.agents if a.tier == "district"))
    assert [g.heading for g in vm.agent_groups(full_model(only_district))] == ["区级代办员"]
    assert vm.agent_groups(KioskModel()) == ()


def test_an_agent_of_no_known_tier_is_listed_last_under_its_own_heading(content: Content) -> None:
    model = full_model(content)
    doc = json.loads(payloads(content)["agents"])
    doc["agents"].insert(0, {"id": "x1", "name": "王五", "tier": "county", "area": "某地", "phone": "1"})
    groups = vm.agent_groups(model.apply("agents", json.dumps(doc).encode()))
    assert [g.heading for g in groups] == ["村(社区)代办员", "乡镇(街道)代办员", "区级代办员", "其他代办员"]
    assert groups[-1].lines == ("某地　王五　1",)


def test_a_long_category_name_is_shortened_on_its_tile_with_a_mark() -> None:
    from kiosk.viewmodel import TILE_NAME_CHARS, tile_name

    assert tile_name("社会保障") == "社会保障"
    long = "㐀䶵𠮷𡋗𪜀𫝀𫠠𬺰退役军人事务与优抚安置及拥军优属服务类"
    assert len(tile_name(long)) == TILE_NAME_CHARS and tile_name(long).endswith("…")
    assert long.startswith(tile_name(long)[:-1])
