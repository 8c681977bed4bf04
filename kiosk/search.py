"""Search as you type over the catalog: hanzi, full pinyin and pinyin initials (社保 / shebao / sb), ranked.

Pure: no Kivy, no I/O. `SearchIndex.from_catalog(doc)` takes the catalog document as published on
`hall/v1/<c>/catalog` and does all the work once: pinyin, folding, and for each field and form a
map from every start (up to `_PREFIX` letters) to the texts that begin so, plus one joined string
for matches inside a text. `search()` only looks up those maps and calls `str.find`; it never calls
pypinyin. Build once per catalog rev, off the UI thread (`IndexCache` keeps the index of the rev it
last saw); the index is immutable, so handing it to the UI thread is a reference swap.

Pinyin is pypinyin's phrase-aware reading, one per character (参保 `canbao`, 银行卡 `yinhangka`,
重度 `zhongdu`). Indexing every reading (`heteronym=True`) would make 参 also `shen` and `cen`, so
that `shenbao` (申报) found 参保 items, and 度 also `duo` and `zhai`.

Ranking, best first (`Hit.score`; ties go to the shorter name, then catalog order):

| score | field | how the query matches |
|---|---|---|
| 100 | name | the whole name (its text, full pinyin or initials) |
| 95 | name | the start of its text (社 → 社保…, 80 → 80岁…) |
| 90 | name | the start of its initials (sb → 社保…) |
| 85 | name | the start of its full pinyin (sheb, shebao); hanzi then pinyin (养老bx → 养老保险…) |
| 80 | name | full pinyin from a later syllable (canbao → …参保登记), 3+ initials there (ylbx); 养老bx inside |
| 75 | name | anywhere in its text (保 → 社保) |
| 60 / 55 / 50 | keyword | whole / start / inside: text anywhere, pinyin from a syllable, 3+ initials anywhere |
| 45 / 40 / 35 | category | the same; its name or its abbreviation (社会保障 as 社保: shebao, sb) |
| 30 / 25 / 20 | department | the same |
| 15 / 10 / 5 | document | the same |
| 1 | name | two initials inside (sb → …面积申报): weak, two letters line up by chance |

A query is folded as the texts are (NFKC, lower case, letters and digits only, at most
`MAX_QUERY` of them): spaces, punctuation and control characters drop out, full-width letters
become ASCII. ASCII letters and digits match as pinyin and as text; hanzi as text only, except
hanzi followed by ASCII (养老bx, as an IME leaves it), which also matches a name whose text goes on
with syllables that the ASCII starts (full or initials). Other mixes match only as text. ü is `v`,
as on pinyin keyboards (独生子女 is `dushengzinv`).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, Literal

from content.shared.contract import read_id, read_rows, read_strings, read_text

if TYPE_CHECKING:
    from pypinyin.core import Pinyin

Field = Literal["name", "keyword", "category", "department", "document"]
Via = Literal["text", "pinyin", "initials"]

MAX_QUERY: Final = 32
"""Folded query characters kept."""
MAX_TEXT: Final = 120
"""Characters of any one text (a name, a keyword, a document's name…) indexed and shown."""
MAX_ITEMS: Final = 10_000
MAX_KEYWORDS: Final = 32
MAX_DOCUMENTS: Final = 64
_MAX_RAW_QUERY: Final = 256
_PREFIX: Final = 6
"""Starts kept in the maps; a longer query takes the texts of its first 6 letters and checks them."""
_SYLLABLE = re.compile(r"[a-z]{1,6}")
_MIXED = re.compile(r"([^\x00-\x7f]+)([a-z0-9]+)")

Reader = Callable[[str], Sequence[str]]
"""A run of hanzi → one toneless lower-case syllable a character."""


@lru_cache(maxsize=1)
def _pypinyin() -> Pinyin:
    # Importing pypinyin loads its dictionaries (~0.13 s here): at the first build, not at kiosk start.
    from pypinyin.core import Pinyin

    return Pinyin()


@lru_cache(maxsize=1 << 16)
def _phrase(phrase: str) -> tuple[str, ...]:
    return tuple(_pypinyin().lazy_pinyin(phrase))


def pinyin_of(run: str) -> list[str]:
    """pypinyin's reading of a hanzi run, ü as `v`; cached phrase by phrase, as catalogs repeat them."""
    return [syllable for phrase in _pypinyin().seg(run) for syllable in _phrase(phrase)]


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    name: str
    score: int
    """The tier of the match (module docstring): higher is better; equal scores are equally good."""
    field: Field
    via: Via
    """What matched: the text itself, its full pinyin or its initials."""
    text: str
    """The text that matched (the name, a keyword, a document's name…), as shown."""
    span: tuple[int, int]
    """The characters of `text` that matched, `text[span[0]:span[1]]`, for highlighting."""


def normalise_query(query: object) -> str:
    """The query as the index compares it: folded letters and digits, at most MAX_QUERY of them."""
    if not isinstance(query, str):
        return ""
    return "".join(char for _, char in _folded(query[:_MAX_RAW_QUERY]))[:MAX_QUERY]


def _folded(text: str) -> Iterator[tuple[int, str]]:
    """(index in `text`, character) for each letter or digit of `text` after NFKC and lower case."""
    for index, char in enumerate(text):
        if char.isascii():
            if char.isalnum():
                yield index, char.lower()
            continue
        for folded in unicodedata.normalize("NFKC", char).lower():
            if folded.isalnum():
                yield index, folded


def _kind(char: str) -> Literal["hanzi", "ascii", "other"]:
    if char.isascii():
        return "ascii"
    code = ord(char)
    hanzi = (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x3134F
        or 0xF900 <= code <= 0xFAFF
        or code == 0x3007
    )
    return "hanzi" if hanzi else "other"


@dataclass(frozen=True, slots=True)
class _Text:
    """One text in every form that a query is compared with.

    A unit is a hanzi's syllable or a run of ASCII letters and digits ("a4", "80").
    """

    raw: str
    key: str
    """Folded letters and digits, hanzi included."""
    key_at: tuple[int, ...]
    """Index in `raw` of each character of `key`."""
    full: str
    """The units' pinyin (or ASCII), concatenated."""
    bounds: tuple[int, ...]
    """Where each unit starts in `full`."""
    spans: tuple[tuple[int, int], ...]
    """Each unit's characters in `raw`."""
    initials: str

    @classmethod
    def of(cls, raw: str, reader: Reader) -> _Text:
        key: list[str] = []
        key_at: list[int] = []
        units: list[tuple[str, int, int]] = []
        run: list[tuple[int, str]] = []  # adjacent hanzi, or adjacent ASCII letters and digits
        for index, char in _folded(raw):
            kind = _kind(char)
            # Punctuation ends a run as well: "A4、B5" is two units, "证、病历" two phrases.
            if run and (kind != _kind(run[-1][1]) or index > run[-1][0] + 1):
                units += _units(run, reader)
                run = []
            if kind != "other":
                run.append((index, char))
            key.append(char)
            key_at.append(index)
        units += _units(run, reader)
        bounds = []
        at = 0
        for syllable, _, _ in units:
            bounds.append(at)
            at += len(syllable)
        return cls(
            raw=raw,
            key="".join(key),
            key_at=tuple(key_at),
            full="".join(unit[0] for unit in units),
            bounds=tuple(bounds),
            spans=tuple((start, end) for _, start, end in units),
            initials="".join(unit[0][0] for unit in units),
        )


def abbreviation(name: str) -> str:
    """How a name of two-character words is called for short, the first character of each: 社会保障 is
    社保, 医疗保险 医保, 退役军人事务 退军事. "" for any other name (odd length, not all hanzi, too long)."""
    if len(name) not in (4, 6, 8) or not all(_kind(char) == "hanzi" for char in name):
        return ""
    return name[::2]


def _category_names(name: str) -> list[str]:
    """The texts a category is searched by: its name, and its abbreviation when it has one."""
    short = abbreviation(name)
    return [name, short] if short else [name]


def _units(run: list[tuple[int, str]], reader: Reader) -> list[tuple[str, int, int]]:
    """(pinyin or ASCII, start, end in the raw text) of each unit of a run."""
    if not run:
        return []
    chars = "".join(char for _, char in run)
    if chars.isascii():
        return [(chars, run[0][0], run[-1][0] + 1)]
    syllables = list(reader(chars))
    if len(syllables) != len(chars):  # a reader that kept unknown characters together: one at a time
        syllables = [next(iter(reader(char)), "") for char in chars]
    return [
        (syllable, index, index + 1)
        for (index, _), syllable in zip(run, syllables, strict=True)
        if _SYLLABLE.fullmatch(syllable)  # a character without a reading is text, not a unit
    ]


Rep = Literal["key", "full", "initials", "later"]
"""A form of the texts: folded text, full pinyin, initials, or full pinyin from the second unit on."""
Mode = Literal["whole", "start", "inside"]


class _Column:
    """One field's distinct texts, and the maps and joined strings that find them.

    `whole[rep]` maps a whole form to its texts; `starts[rep]` maps every start of a form, up to
    _PREFIX letters, to its texts ("later": starts of the full pinyin at each unit after the first).
    Lists hold text indices ascending. `hay` joins the folded texts and the initials, each after a
    "\\n", for matches anywhere inside.
    """

    def __init__(self, texts: list[_Text], owners: list[tuple[int, ...]]) -> None:
        self.texts = texts
        self.owners = owners
        """Ranks of the items that carry each text, ascending (for names: the text's own rank)."""
        self.whole: dict[Rep, dict[str, list[int]]] = {"key": {}, "full": {}, "initials": {}}
        self.starts: dict[Rep, dict[str, list[int]]] = {"key": {}, "full": {}, "initials": {}, "later": {}}
        for index, text in enumerate(texts):
            forms: tuple[tuple[Rep, str], ...] = (("key", text.key), ("full", text.full), ("initials", text.initials))
            for rep, form in forms:
                if form:
                    _add(self.whole[rep], form, index)
                    _add_starts(self.starts[rep], form, index)
            for bound in text.bounds[1:]:
                _add_starts(self.starts["later"], text.full[bound : bound + _PREFIX], index)
        self.hay: dict[Rep, tuple[str, list[int]]] = {
            "key": _join([t.key for t in texts]),
            "initials": _join([t.initials for t in texts]),
        }

    def find(self, rep: Rep, mode: Mode, q: str) -> Iterable[int]:
        """Indices of the texts whose `rep` matches `q` in `mode`, ascending, each once."""
        if mode == "whole":
            return self.whole[rep].get(q, ())
        if mode == "inside":
            return self._scan(rep, q)
        found = self.starts[rep].get(q[:_PREFIX], ())
        if len(q) <= _PREFIX:
            return found
        return (index for index in found if self._starts_with(rep, self.texts[index], q))

    @staticmethod
    def _starts_with(rep: Rep, text: _Text, q: str) -> bool:
        if rep == "later":
            return any(text.full.startswith(q, bound) for bound in text.bounds[1:])
        return (text.key if rep == "key" else text.full if rep == "full" else text.initials).startswith(q)

    def _scan(self, rep: Rep, q: str) -> Iterator[int]:
        hay, starts = self.hay[rep]
        find = hay.find
        last = len(starts) - 1
        at = find(q)
        while at >= 0:
            index = bisect_right(starts, at) - 1
            yield index
            if index == last:
                return
            at = find(q, starts[index + 1])


def _add(index: dict[str, list[int]], form: str, text: int) -> None:
    texts = index.get(form)
    if texts is None:
        index[form] = [text]
    elif texts[-1] != text:
        texts.append(text)


def _add_starts(index: dict[str, list[int]], form: str, text: int) -> None:
    for end in range(1, min(len(form), _PREFIX) + 1):
        _add(index, form[:end], text)


def _join(parts: list[str]) -> tuple[str, list[int]]:
    """The parts, each after a newline, in one string; and where each part's newline is."""
    starts = []
    at = 0
    for part in parts:
        starts.append(at)
        at += 1 + len(part)
    return "".join("\n" + part for part in parts), starts


Pass = tuple[Rep, Mode, Via]


@dataclass(frozen=True, slots=True)
class _Tier:
    score: int
    field: Field
    passes: tuple[Pass, ...]
    mixed: tuple[str, str, Mode] | None = None
    """Hanzi then ASCII (养老bx), the hanzi at the start of a name or inside: see `SearchIndex._mixed`."""


_FIELDS: Final[tuple[Field, ...]] = ("keyword", "category", "department", "document")
_FIELD_TOP: Final[dict[Field, int]] = {"keyword": 60, "category": 45, "department": 30, "document": 15}
_WHOLE: Final[tuple[Pass, ...]] = (
    ("key", "whole", "text"),
    ("full", "whole", "pinyin"),
    ("initials", "whole", "initials"),
)


@lru_cache(maxsize=512)
def _plan(q: str) -> tuple[_Tier, ...]:
    """The tiers to try for a folded query, best first."""
    if not q.isascii():
        tiers = [_Tier(100, "name", (("key", "whole", "text"),)), _Tier(95, "name", (("key", "start", "text"),))]
        mixed = _MIXED.fullmatch(q)
        if mixed:
            tiers.append(_Tier(85, "name", (), (mixed[1], mixed[2], "start")))
            tiers.append(_Tier(80, "name", (), (mixed[1], mixed[2], "inside")))
        tiers.append(_Tier(75, "name", (("key", "inside", "text"),)))
        for field in _FIELDS:
            top = _FIELD_TOP[field]
            tiers += [
                _Tier(top, field, (("key", "whole", "text"),)),
                _Tier(top - 5, field, (("key", "start", "text"),)),
                _Tier(top - 10, field, (("key", "inside", "text"),)),
            ]
        return tuple(tiers)
    later: tuple[Pass, ...] = (("later", "start", "pinyin"),)
    if len(q) >= 3:
        later += (("initials", "inside", "initials"),)
    tiers = [
        _Tier(100, "name", _WHOLE),
        _Tier(95, "name", (("key", "start", "text"),)),
        _Tier(90, "name", (("initials", "start", "initials"),)),
        _Tier(85, "name", (("full", "start", "pinyin"),)),
        _Tier(80, "name", later),
        _Tier(75, "name", (("key", "inside", "text"),)),
    ]
    for field in _FIELDS:
        top = _FIELD_TOP[field]
        tiers += [
            _Tier(top, field, _WHOLE),
            _Tier(
                top - 5,
                field,
                (("key", "start", "text"), ("initials", "start", "initials"), ("full", "start", "pinyin")),
            ),
            _Tier(top - 10, field, (("key", "inside", "text"), *later)),
        ]
    if len(q) == 2:
        tiers.append(_Tier(1, "name", (("initials", "inside", "initials"),)))
    return tuple(tiers)


@dataclass(frozen=True, slots=True)
class _Found:
    score: int
    field: Field
    via: Via
    text: int
    span: tuple[int, int]


class SearchIndex:
    """The catalog's items, ready for `search`. Build with `from_catalog`; immutable afterwards."""

    def __init__(self, items: Sequence[tuple[str, str]], columns: Mapping[Field, _Column], rev: str | None) -> None:
        self._items = items  # (id, name) by rank: shorter name first, then catalog order
        self._columns = columns
        self.rev = rev
        """The catalog document's rev, when it had one."""

    def __len__(self) -> int:
        return len(self._items)

    @classmethod
    def from_catalog(cls, doc: object, reader: Reader = pinyin_of) -> SearchIndex:
        """Index a catalog document. Malformed items are skipped, texts cut to MAX_TEXT characters."""
        source: Mapping[str, Any] = doc if isinstance(doc, Mapping) else {}
        categories = {
            read_id(category.get("id")): _category_names(read_text(category.get("name"), MAX_TEXT))
            for category in read_rows(source.get("categories"), MAX_ITEMS)
        }
        categories.pop("", None)  # categories without a usable id: no item can be in them
        rows: list[tuple[str, str, dict[Field, list[str]]]] = []
        ids: set[str] = set()
        for item in read_rows(source.get("items"), MAX_ITEMS):
            item_id, name = read_id(item.get("id")), read_text(item.get("name"), MAX_TEXT)
            if not item_id or not name or item_id in ids:
                continue
            ids.add(item_id)
            documents = read_rows(item.get("documents"), MAX_DOCUMENTS)
            fields: dict[Field, list[str]] = {
                "keyword": list(read_strings(item.get("keywords"), MAX_TEXT, MAX_KEYWORDS)),
                "category": categories.get(read_id(item.get("category")), []),
                "department": [read_text(item.get("department"), MAX_TEXT)],
                "document": [read_text(d.get("name"), MAX_TEXT) for d in documents],
            }
            rows.append((item_id, name, fields))
        rows.sort(key=lambda row: len(row[1]))  # stable: catalog order among names of one length

        prepared: dict[str, _Text] = {}

        def prepare(raw: str) -> _Text:
            if raw not in prepared:
                prepared[raw] = _Text.of(raw, reader)
            return prepared[raw]

        columns: dict[Field, _Column] = {
            "name": _Column([prepare(name) for _, name, _ in rows], [(rank,) for rank in range(len(rows))])
        }
        for field in _FIELDS:
            owners: dict[str, list[int]] = {}
            for rank, (_, _, fields) in enumerate(rows):
                for raw in fields[field]:
                    if raw:
                        _add(owners, raw, rank)
            columns[field] = _Column([prepare(raw) for raw in owners], [tuple(ranks) for ranks in owners.values()])
        rev = source.get("rev")
        return cls([(item_id, name) for item_id, name, _ in rows], columns, rev if isinstance(rev, str) else None)

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """The best `limit` items for what has been typed so far; [] for an empty query. Never raises."""
        q = normalise_query(query)
        limit = min(limit, len(self._items)) if isinstance(limit, int) else 0
        if not q or limit <= 0:
            return []
        found: dict[int, _Found] = {}
        for tier in _plan(q):
            if tier.mixed:
                self._mixed(tier, limit - len(found), found)
            else:
                self._collect(tier, q, limit - len(found), found)
            if len(found) >= limit:  # every later tier scores lower
                break
        ranked = sorted(found.items(), key=lambda pair: (-pair[1].score, pair[0]))[:limit]
        return [self._hit(rank, how) for rank, how in ranked]

    def _collect(self, tier: _Tier, q: str, need: int, found: dict[int, _Found]) -> None:
        """Add the best `need` items that `tier` matches and that nothing better has."""
        column = self._columns[tier.field]
        streams: list[Iterator[tuple[int, int, int]]] = []
        for order, (rep, mode, _) in enumerate(tier.passes):
            texts = column.find(rep, mode, q)
            if tier.field == "name":  # a name's index is its item's rank: already in order
                streams.append(_tagged(texts, order))
            else:
                streams += (_tagged(column.owners[text], order, text) for text in texts)
        # (rank, pass, text) ascending: the best ranks first, each through the first pass that has it.
        taken = 0
        for rank, order, text in heapq.merge(*streams):
            if rank not in found:
                rep, mode, via = tier.passes[order]
                span = _span(column.texts[text], rep, mode, q)
                found[rank] = _Found(tier.score, tier.field, via, text, span)
                taken += 1
                if taken >= need:
                    return

    def _mixed(self, tier: _Tier, need: int, found: dict[int, _Found]) -> None:
        """Names with the hanzi, at their start or inside, then units that the tail starts (pinyin or initials)."""
        assert tier.mixed is not None
        hanzi, tail, mode = tier.mixed
        column = self._columns["name"]
        taken = 0
        for rank in column.find("key", mode, hanzi):
            if rank in found:
                continue
            text = column.texts[rank]
            at = 0 if mode == "start" else text.key.find(hanzi, 1)
            while at >= 0:
                after = text.key_at[at + len(hanzi) - 1] + 1
                unit = bisect_left(text.spans, after, key=lambda span: span[0])
                last = _covered(text, unit, tail) if unit < len(text.spans) else None
                if last is not None:
                    found[rank] = _Found(tier.score, "name", "pinyin", rank, (text.key_at[at], text.spans[last][1]))
                    taken += 1
                    break
                at = -1 if mode == "start" else text.key.find(hanzi, at + 1)
            if taken >= need:
                return

    def _hit(self, rank: int, how: _Found) -> Hit:
        item_id, name = self._items[rank]
        text = self._columns[how.field].texts[how.text]
        return Hit(item_id, name, how.score, how.field, how.via, text.raw, how.span)


def _tagged(ranks: Iterable[int], order: int, text: int | None = None) -> Iterator[tuple[int, int, int]]:
    """(rank, pass, text) for each rank; for names, whose text index is the rank, `text` is None."""
    return ((rank, order, rank if text is None else text) for rank in ranks)


def _covered(text: _Text, unit: int, tail: str) -> int | None:
    """The last unit that `tail` covers from `unit` on, read as full pinyin or as initials; None if neither."""
    if text.full.startswith(tail, text.bounds[unit]):
        return bisect_right(text.bounds, text.bounds[unit] + len(tail) - 1) - 1
    if text.initials.startswith(tail, unit):
        return unit + len(tail) - 1
    return None


def _span(text: _Text, rep: Rep, mode: Mode, q: str) -> tuple[int, int]:
    """Where `q` matched `text` in `rep` and `mode`, in characters of the raw text."""
    if rep == "key":
        at = text.key.find(q) if mode == "inside" else 0
        return (text.key_at[at], text.key_at[at + len(q) - 1] + 1)
    if rep == "initials":
        at = text.initials.find(q) if mode == "inside" else 0
        return (text.spans[at][0], text.spans[at + len(q) - 1][1])
    unit = 0
    if rep == "later":
        # A match that ends with a syllable rather than inside one: xian is 险 in 城乡…保险, not 乡.
        units = [u for u in range(1, len(text.bounds)) if text.full.startswith(q, text.bounds[u])]
        ends = {*text.bounds, len(text.full)}
        unit = next((u for u in units if text.bounds[u] + len(q) in ends), units[0])
    last = bisect_right(text.bounds, text.bounds[unit] + len(q) - 1) - 1
    return (text.spans[unit][0], text.spans[last][1])


class IndexCache:
    """The index of the catalog rev last seen: `index_for(doc)` builds only when the rev changes.

    A document without a rev is indexed each time it is passed, and not kept.
    """

    def __init__(self, build: Callable[[object], SearchIndex] = SearchIndex.from_catalog) -> None:
        self._build = build
        self._index: SearchIndex | None = None

    def index_for(self, doc: object) -> SearchIndex:
        rev = doc.get("rev") if isinstance(doc, Mapping) else None
        if self._index is not None and isinstance(rev, str) and self._index.rev == rev:
            return self._index
        index = self._build(doc)
        if isinstance(rev, str):
            self._index = index
        return index
