"""Kiosk search: hanzi, full pinyin and initials over the catalog document, ranked. No display needed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from content.centre.loader import load_content
from content.centre.synth import SAMPLE, synthetic_items
from content.service import documents
from content.shared import contract
from content.shared.wire.catalog import read as parse_catalog
from kiosk import search as search_module
from kiosk.search import MAX_QUERY, MAX_TEXT, Hit, IndexCache, SearchIndex, normalise_query, pinyin_of

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    """The sample centre's catalog document, as the service publishes it."""
    content = load_content(SAMPLE).content
    assert content is not None
    return contract.state_document(documents.catalog(content), NOW)


@pytest.fixture(scope="module")
def index(catalog: dict[str, Any]) -> SearchIndex:
    return SearchIndex.from_catalog(catalog)


def item(item_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"id": item_id, "name": name, "category": "misc", "department": "", "documents": [], **fields}


def small(*items: dict[str, Any], categories: list[dict[str, Any]] | None = None) -> SearchIndex:
    cats = categories or [{"id": "misc", "name": "其他", "prefix": "Z"}]
    return SearchIndex.from_catalog({"categories": cats, "items": list(items), "rev": "r1"})


def ids(hits: list[Hit]) -> list[str]:
    return [hit.id for hit in hits]


def shown(hit: Hit) -> str:
    return hit.text[hit.span[0] : hit.span[1]]


# -- the sample catalog ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["社保", "shebao", "sb", "SheBao", "ＳＢ", "she bao"])
def test_social_insurance_comes_first(index: SearchIndex, query: str) -> None:
    hits = index.search(query)
    assert hits[0].id == "shebao-yanglao-canbao"  # its keyword 社保
    assert (hits[0].field, shown(hits[0])) == ("keyword", "社保")


@pytest.mark.parametrize("query", ["shebao", "社保", "sb", "shehuibaozhang", "shehui", "shbz", "社会保障"])
def test_every_item_of_a_category_is_found_by_its_name_and_abbreviation(
    catalog: dict[str, Any], index: SearchIndex, query: str
) -> None:
    """社会保障 is called 社保: `shebao` found 1 of its 4 items (the one with the keyword 社保), since the
    category's name reads shehuibaozhang."""
    social = {item["id"] for item in catalog["items"] if item["category"] == "shebao"}
    assert len(social) == 4
    assert social <= set(ids(index.search(query)))


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("社会保障", "社保"),
        ("医疗保险", "医保"),
        ("退役军人事务", "退军事"),
        ("残疾人服务", ""),
        ("林业", ""),
        ("A4复印", ""),
    ],
)
def test_abbreviation(name: str, short: str) -> None:
    assert search_module.abbreviation(name) == short


def test_a_category_is_searched_by_its_abbreviation_below_names_and_keywords() -> None:
    categories = [{"id": "sb", "name": "社会保障", "prefix": "A"}, {"id": "misc", "name": "其他", "prefix": "Z"}]
    index = small(
        item("in", "城乡居民养老保险参保登记", category="sb"),
        item("named", "社保卡申领"),
        categories=categories,
    )
    hits = index.search("shebao")
    assert ids(hits) == ["named", "in"]
    assert (hits[1].field, hits[1].score, shown(hits[1])) == ("category", 45, "社保")


@pytest.mark.parametrize("query", ["低保", "dibao", "db", "DB"])
def test_dibao(index: SearchIndex, query: str) -> None:
    hits = index.search(query)
    assert hits[0].id == "minzheng-dibao"
    assert shown(hits[0]) == "低保"


def test_canbao_is_the_reading_of_参保_not_shenbao(index: SearchIndex) -> None:
    hits = index.search("canbao")
    assert ids(hits)[:2] == ["shebao-yanglao-canbao", "shebao-yiliao-jiaofei"]
    assert all(hit.field == "name" and hit.via == "pinyin" and shown(hit) == "参保" for hit in hits[:2])
    # 申报 is shenbao; 参 is never read shen here.
    shenbao = index.search("shenbao")
    assert shenbao and all(shown(hit) == "申报" for hit in shenbao)
    assert "shebao-yanglao-canbao" not in ids(shenbao)
    assert ids(index.search("参保"))[:2] == ["shebao-yanglao-canbao", "shebao-yiliao-jiaofei"]


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("参保登记", "can bao deng ji"),
        ("残疾人证", "can ji ren zheng"),
        ("低保", "di bao"),
        ("社保", "she bao"),
        ("林木采伐", "lin mu cai fa"),
        ("宅基地", "zhai ji di"),
        ("独生子女", "du sheng zi nv"),
        ("重度残疾", "zhong du can ji"),
        ("银行卡", "yin hang ka"),
        ("长期", "chang qi"),
    ],
)
def test_readings_pick_the_phrase_reading(text: str, reading: str) -> None:
    assert pinyin_of(text) == reading.split()


@pytest.mark.parametrize(
    ("query", "item_id", "score", "matched"),
    [
        ("lmcf", "linye-caifa-xuke", 90, "林木采伐"),
        ("dszn", "jisheng-dusheng-zinv", 90, "独生子女"),
        ("cjrz", "canlian-canjiren-zheng", 90, "残疾人证"),
        ("zjd", "guotu-zhaijidi-jianfang", 80, "宅基地"),  # initials from a later syllable
        ("cbdj", "shebao-yanglao-canbao", 80, "参保登记"),
        ("linmucaifa", "linye-caifa-xuke", 85, "林木采伐"),
        ("linmuc", "linye-caifa-xuke", 85, "林木采"),
        ("zhaijidi", "guotu-zhaijidi-jianfang", 80, "宅基地"),
        ("dushengzinv", "jisheng-dusheng-zinv", 85, "独生子女"),  # ü typed as v
        ("宅基地", "guotu-zhaijidi-jianfang", 75, "宅基地"),
        ("林木采伐", "linye-caifa-xuke", 95, "林木采伐"),
        ("80", "minzheng-gaoling-jintie", 95, "80"),
    ],
)
def test_names_by_initials_pinyin_and_hanzi(
    index: SearchIndex, query: str, item_id: str, score: int, matched: str
) -> None:
    hit = index.search(query)[0]
    assert (hit.id, hit.score, hit.field, shown(hit)) == (item_id, score, "name", matched)


def test_hanzi_then_pinyin_from_an_ime(index: SearchIndex) -> None:
    hits = index.search("养老bx")
    assert ids(hits) == ["shebao-yanglao-canbao", "shebao-yanglao-daiyu"]
    assert {shown(hit) for hit in hits} == {"养老保险"}
    assert ids(index.search("养老baoxian")) == ids(hits)


def test_highlight_prefers_a_whole_syllable(index: SearchIndex) -> None:
    hit = index.search("xian")[0]
    assert shown(hit) == "险"  # of 保险, not the start of 乡 (xiang) in 城乡


def test_limit(index: SearchIndex) -> None:
    assert len(index.search("s", limit=3)) == 3
    assert index.search("s", limit=0) == []
    assert len(index.search("s", limit=10_000)) <= len(index)


def test_a_synthetic_catalog_of_2000_items(catalog: dict[str, Any]) -> None:
    index = SearchIndex.from_catalog({"categories": catalog["categories"], "items": synthetic_items(2000)})
    assert len(index) == 2000
    for query in ("社保", "shebao", "sb"):
        hits = index.search(query)
        assert len(hits) == 20 and all(hit.id.startswith("shebao-yanglao-canbao-") for hit in hits)
        assert [len(hit.name) for hit in hits] == sorted(len(hit.name) for hit in hits)
    assert all(hit.id.startswith("shebao-") and shown(hit) == "参保" for hit in index.search("canbao"))


# -- ranking --------------------------------------------------------------------------------------


def ranking_catalog() -> SearchIndex:
    categories = [{"id": "misc", "name": "其他", "prefix": "Z"}, {"id": "sb", "name": "社保服务", "prefix": "A"}]
    return small(
        item("document", "其他事项甲", documents=[{"name": "社保卡复印件", "form": "copy"}]),
        item("department", "就业登记乙", department="社保局"),
        item("category", "医疗救助丙", category="sb"),
        item("keyword", "失业保险丁", keywords=["社保"]),
        item("inside", "城乡社保转移"),
        item("prefix", "社保卡挂失"),
        item("exact", "社保"),
        categories=categories,
    )


def test_ranking_by_field_and_position() -> None:
    index = ranking_catalog()
    order = ["exact", "prefix", "inside", "keyword", "category", "department", "document"]
    assert ids(index.search("社保")) == order
    assert ids(index.search("shebao")) == order
    assert [hit.score for hit in index.search("社保")] == [100, 95, 75, 60, 40, 25, 10]
    assert [hit.score for hit in index.search("shebao")] == [100, 85, 80, 60, 40, 25, 10]
    # Two initials inside a name line up by chance: that comes last.
    assert ids(index.search("sb")) == ["exact", "prefix", "keyword", "category", "department", "document", "inside"]
    assert [hit.via for hit in index.search("sb")][:2] == ["initials", "initials"]


def test_initials_before_full_pinyin_before_later_syllables() -> None:
    index = small(item("later", "办理代办"), item("full", "代办"), item("initials", "到岸服务"))
    hits = index.search("da")
    assert ids(hits) == ["initials", "full", "later"]
    assert [hit.score for hit in hits] == [90, 85, 80]


def test_ties_go_to_the_shorter_name_then_catalog_order() -> None:
    index = small(item("long", "社保关系转移接续"), item("b", "社保转移"), item("a", "社保补办"), item("c", "社保"))
    assert ids(index.search("社保")) == ["c", "b", "a", "long"]
    assert ids(index.search("sb")) == ["c", "b", "a", "long"]


def test_an_item_appears_once_at_its_best_match() -> None:
    index = small(item("x", "社保卡", keywords=["社保", "社保卡"], documents=[{"name": "社保卡"}]))
    hits = index.search("社保")
    assert len(hits) == 1 and (hits[0].field, hits[0].score) == ("name", 95)


def test_pinyin_matches_start_on_a_syllable() -> None:
    index = small(item("ban", "办证"), item("an", "备案"))
    assert ids(index.search("an")) == ["an"]  # not the "an" inside ban


# -- hostile input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\x00\x01\x1b[2J\x7f",
        "\n\t\r",
        "a" * 10_000,
        "社" * 10_000,
        "\x00" * 10_000,
        "\ud800",
        "💩🀄",
        ".*[(\\",
        "%s%n{0}",
        "<script>alert(1)</script>",
        "ＡＢＣ１２３",
        "ﬁ",
        "社保" + "\u0301" * 50,
        None,
        123,
        b"sb",
    ],
)
def test_hostile_queries_never_raise(index: SearchIndex, query: Any) -> None:
    hits = index.search(query)
    assert isinstance(hits, list) and len(hits) <= 20
    assert len(normalise_query(query)) <= MAX_QUERY


def test_nothing_to_search_for() -> None:
    index = small(item("a", "社保"))
    for query in ("", "  ", "。，、！", "\x00", "-_-"):
        assert index.search(query) == []


def test_query_folding() -> None:
    assert normalise_query(" She Bao\x00 ") == "shebao"
    assert normalise_query("ＳＨＥＢＡＯ１２") == "shebao12"
    assert normalise_query("社 保!") == "社保"
    assert normalise_query("x" * 500) == "x" * MAX_QUERY


# -- a malformed catalog --------------------------------------------------------------------------


@pytest.mark.parametrize("doc", [None, [], "catalog", 42, {}, {"items": "x"}, {"items": None, "categories": 5}])
def test_an_unusable_document_gives_an_empty_index(doc: Any) -> None:
    index = SearchIndex.from_catalog(doc)
    assert len(index) == 0
    assert index.search("sb") == []


def test_malformed_items_are_skipped() -> None:
    doc = {
        "rev": "r",
        "categories": [None, {"id": 1}, {"id": "c", "name": None}, {"id": "ok", "name": "社会保障"}],
        "items": [
            None,
            1,
            "x",
            {},
            {"id": 5, "name": "数字"},
            {"id": "no-name", "name": None},
            {"id": "", "name": "空"},
            {"id": "x" * 1000, "name": "长号"},
            {"id": "blank", "name": "  \n "},
            {"id": "dup", "name": "社保"},
            {"id": "dup", "name": "低保"},
            {
                "id": "odd",
                "name": "残疾人证",
                "category": 7,
                "department": ["x"],
                "keywords": "not a list",
                "documents": [None, {"name": 5}, "x", {"name": "居民身份证"}],
            },
            {"id": "cat", "name": "待遇", "category": "ok", "keywords": [None, 3, "养老"], "documents": {"name": "x"}},
            {"id": "long", "name": "长" * 10_000, "documents": [{"name": "证" * 10_000}] * 1000},
        ],
    }
    index = SearchIndex.from_catalog(doc)
    assert len(index) == 4
    assert ids(index.search("社保")) == ["dup", "cat"]  # the first "dup" only; "cat" through 社会保障
    assert ids(index.search("dibao")) == []
    assert ids(index.search("shbz")) == ["cat"]  # through its category
    assert ids(index.search("jmsfz")) == ["odd"]
    assert ids(index.search("yanglao")) == ["cat"]
    hit = index.search("chang")[0]
    assert hit.id == "long" and len(hit.name) == MAX_TEXT


def test_search_finds_only_items_the_kiosk_can_open() -> None:
    # An id the service could not have written is no item at all, to the index as to the model: a
    # hit must open a guide, and a guide's QR code must name a page that exists.
    names = {"n1": "社保", "n2": "低保", "n3": "残疾", "n4": "养老", "n5": "医保", "n6": "林权"}
    raw_ids = ["x" * 65, " padded ", "UPPER", "s\n", "ok-1", "y" * 64]
    doc = {
        "rev": "r",
        "categories": [{"id": "Bad Id", "name": "无效类别"}],
        "items": [{"id": i, "name": n, "category": "Bad Id"} for i, n in zip(raw_ids, names.values(), strict=True)],
    }
    index = SearchIndex.from_catalog(doc)
    _, items = parse_catalog(doc)
    found = {hit.id for query in names.values() for hit in index.search(query)}
    assert found == set(items) == {"ok-1", "y" * 64}
    assert index.search("无效类别") == []  # nor does a category without a usable id name anything


# -- built once per catalog, not per keystroke ----------------------------------------------------


def test_search_never_calls_pypinyin(catalog: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    index = SearchIndex.from_catalog(catalog)

    class Refuses:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"pypinyin.{name} called while searching")

    monkeypatch.setattr(search_module, "_pypinyin", Refuses)
    monkeypatch.setattr(search_module, "pinyin_of", _refuse)
    for query in ("s", "sh", "she", "sheb", "shebao", "社", "社保", "养老bx", "cbdj", "xyz", "x" * 100):
        index.search(query)


def _refuse(run: str) -> list[str]:
    raise AssertionError("pinyin_of called while searching")


def test_the_reader_runs_at_build_only(catalog: dict[str, Any]) -> None:
    calls: list[str] = []

    def reader(run: str) -> list[str]:
        calls.append(run)
        return pinyin_of(run)

    index = SearchIndex.from_catalog(catalog, reader=reader)
    built = len(calls)
    assert built > 0
    for query in ("sb", "社保", "canbao", "养老bx"):
        index.search(query)
    assert len(calls) == built


def test_the_cache_builds_once_per_rev(catalog: dict[str, Any]) -> None:
    builds: list[object] = []

    def build(doc: object) -> SearchIndex:
        builds.append(doc)
        return SearchIndex.from_catalog(doc)

    cache = IndexCache(build)
    first = cache.index_for(catalog)
    assert cache.index_for(dict(catalog)) is first
    assert len(builds) == 1
    changed = {**catalog, "items": catalog["items"][:3], "rev": "another"}
    assert len(cache.index_for(changed)) == 3
    assert len(builds) == 2
    assert first.rev == catalog["rev"]
    unversioned = {k: v for k, v in catalog.items() if k != "rev"}
    cache.index_for(unversioned)
    cache.index_for(unversioned)
    assert len(builds) == 4  # no rev: nothing to key on
    assert cache.index_for(changed).rev == "another"
    assert len(builds) == 4
