"""Benchmark: kiosk search over a 2,000-item catalog, per keystroke (budgets in benchmarks/README.md).

    .venv/bin/python benchmarks/bench_search.py [--items 2000] [--repeats 300] [--runs 3]

For a synthetic centre (content.centre.synth) it builds the catalog document as the service publishes it,
then measures:

- building the index (`kiosk.search.SearchIndex.from_catalog`): in fresh processes (import of
  kiosk.search; the first build, which imports pypinyin; a rebuild for the next rev) and in this
  one, with the memory the index holds;
- search per keystroke for typing sequences (s, sh, she … shebao; 社, 社保; …), each keystroke
  timed on its own, `--repeats` times over, next to a naive peer timed on the same keystrokes in
  the same loop: a linear scan with `in` over strings precomputed per item (folded text, full
  pinyin and initials), unranked, the first 20 matches in catalog order.

No broker is needed. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypinyin
from _support import REPO, machine_lines, percentiles, spread_ms

from content.centre.loader import load_content
from content.centre.synth import write_synthetic_centre
from content.service import documents
from content.shared import contract
from kiosk.search import SearchIndex, normalise_query

MUST_P99_S, AIM_P99_S = 5e-3, 1e-3
LIMIT = 20


def typed(*words: str) -> list[str]:
    """What the query is after each keystroke while typing `words` one after the other."""
    return [word[:end] for word in words for end in range(1, len(word) + 1)]


SEQUENCES: dict[str, list[str]] = {
    "shebao": typed("shebao"),
    "db": typed("db"),
    "社保 (IME)": ["社", "社保"],
    "canbao": typed("canbao"),
    "yanglao": typed("yanglao"),
    "ylbx": typed("ylbx"),
    "养老bx": ["养", "养老", "养老b", "养老bx"],
    "jmsfz (a document)": typed("jmsfz"),
    "xyzq (no match)": typed("xyzq"),
}

_COLD = """
import json, sys, time
t0 = time.perf_counter()
from kiosk.search import SearchIndex
t1 = time.perf_counter()
doc = json.loads(open(sys.argv[1], encoding="utf-8").read())
t2 = time.perf_counter()
SearchIndex.from_catalog(doc)
t3 = time.perf_counter()
SearchIndex.from_catalog({**doc, "rev": "next"})
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t3 - t2, "next": t4 - t3}))
"""


# -- the naive peer -------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())


def _forms(text: str) -> str:
    folded = _fold(text)
    syllables = [s for s in pypinyin.lazy_pinyin(folded) if s.isascii()]
    return f"{folded}|{''.join(syllables)}|{''.join(s[0] for s in syllables if s)}"


def naive_rows(doc: dict[str, Any], fields: str) -> list[tuple[str, str]]:
    """(id, one string of every text's forms) per item, in catalog order."""
    categories = {c["id"]: c["name"] for c in doc["categories"]}
    rows = []
    for item in doc["items"]:
        texts = [item["name"]]
        if fields == "all":
            texts += [*item["keywords"], categories[item["category"]], item["department"]]
            texts += [d["name"] for d in item["documents"]]
        rows.append((item["id"], "\n".join(_forms(t) for t in texts)))
    return rows


def naive_search(rows: list[tuple[str, str]], query: str) -> list[str]:
    q = normalise_query(query)
    if not q:
        return []
    return [item_id for item_id, hay in rows if q in hay][:LIMIT]


# -- measurements ---------------------------------------------------------------------------------


def cold_builds(catalog_file: Path, runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"import": [], "first": [], "next": []}
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _COLD, str(catalog_file)], capture_output=True, text=True, check=True, cwd=REPO
        ).stdout
        for key, value in json.loads(out).items():
            figures[key].append(value)
    return figures


def held_by_index(doc: dict[str, Any]) -> tuple[int, int]:
    """(bytes still allocated once built, peak during the build), by tracemalloc."""
    SearchIndex.from_catalog(doc)  # pypinyin's dictionaries and phrase cache, outside the figure
    tracemalloc.start()
    index = SearchIndex.from_catalog({**doc, "rev": "measured"})
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(index) > 0
    return held, peak


def keystrokes(contenders: dict[str, Callable[[str], object]], repeats: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per keystroke by contender and sequence; contenders take turns on each keystroke."""
    times: dict[str, dict[str, list[float]]] = {name: {seq: [] for seq in SEQUENCES} for name in contenders}
    clock = time.perf_counter
    for _ in range(repeats):
        for seq, queries in SEQUENCES.items():
            for query in queries:
                for name, run in contenders.items():
                    start = clock()
                    run(query)
                    times[name][seq].append(clock() - start)
    return times


# -- the report -----------------------------------------------------------------------------------


def _us(values: Sequence[float]) -> str:
    p = percentiles(values)
    return " / ".join(f"{p[k] * 1e6:7.1f}" for k in ("p50", "p90", "p99", "max")) + " µs"


def _verdict(value: float) -> str:
    if value > MUST_P99_S:
        return "over"
    return "PASS, aim met" if value <= AIM_P99_S else "PASS, aim missed"


def _row(what: str, figure: str, budget: str = "", verdict: str = "") -> None:
    print(f"  {what:<44} {figure:<42} {budget:<22} {verdict}".rstrip())


def report(
    builds: dict[str, list[float]], local_build: float, memory: tuple[int, int], times: dict[str, Any], repeats: int
) -> None:
    print()
    print(f"1. building the index, once per catalog rev  {'min / median / max':<42}")
    _row("fresh process: import kiosk.search", spread_ms(builds["import"]))
    _row("fresh process: first build (imports pypinyin)", spread_ms(builds["first"]))
    _row("fresh process: next rev (phrase cache warm)", spread_ms(builds["next"]))
    _row("this process: the index measured below", f"{local_build * 1000:7.1f} ms")
    held, peak = memory
    _row("memory the index holds (peak while building)", f"{held / 2**20:7.1f} MB ({peak / 2**20:.1f} MB)")

    budget = f"p99 ≤ {MUST_P99_S * 1000:g} ms (aim {AIM_P99_S * 1000:g})"
    count = sum(len(q) for q in SEQUENCES.values())
    print()
    print(f"2. per keystroke: {count} keystrokes × {repeats}, each timed on its own, contenders taking turns")
    print(f"  {'':<44} {'p50 / p90 / p99 / max':<42} {'must (aim)':<22} verdict on p99")
    for name, by_seq in times.items():
        every = [t for values in by_seq.values() for t in values]
        verdict = _verdict(percentiles(every)["p99"]) if name == "ours" else ""
        label = "SearchIndex.search, ranked, limit 20" if name == "ours" else f"naive peer, {name}"
        _row(label, _us(every), budget if name == "ours" else "", verdict)
        if name == "ours":
            for seq, values in by_seq.items():
                _row(f"  {seq}", _us(values))
    ours = percentiles([t for v in times["ours"].values() for t in v])["p99"]
    for name in times:
        if name != "ours":
            peer = percentiles([t for v in times[name].values() for t in v])["p99"]
            _row(f"p99 naive ({name}) / ours", f"{peer / ours:7.1f}×")
    print("  naive peer: `q in hay` over one precomputed string per item (folded text | full pinyin |")
    print("  initials of each text), unranked, the first 20 in catalog order; 'names' holds the name only,")
    print("  'all fields' also the keywords, category, department and documents, as the index does.")


def report_hits(index: SearchIndex) -> None:
    print()
    print("3. what the last keystroke of each sequence finds: the first three hits (score, field: matched)")
    for queries in SEQUENCES.values():
        hits = index.search(queries[-1])
        shown = [f"{h.name} ({h.score}, {h.field}: {h.text[h.span[0] : h.span[1]]})" for h in hits[:3]]
        _row(f"{queries[-1]!r}: {len(hits)} hits", "; ".join(shown) or "—")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000, help="catalog size (default 2000)")
    parser.add_argument("--repeats", type=int, default=300, help="passes over all the sequences (default 300)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes timing the build (default 3)")
    args = parser.parse_args()

    print(f"bench_search: kiosk search per keystroke over a {args.items:,}-item catalog")
    print("\n".join(machine_lines([f"libs      pypinyin {pypinyin.__version__}"])))

    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        centre = Path(tmp) / "centre"
        write_synthetic_centre(centre, args.items)
        content = load_content(centre).content
        if content is None:
            raise SystemExit("the synthetic centre does not load")
        body = documents.catalog(content)
        doc = json.loads(contract.encode(contract.state_document(body, datetime.now(UTC))))
        catalog_file = Path(tmp) / "catalog.json"
        catalog_file.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        builds = cold_builds(catalog_file, args.runs)

    start = time.perf_counter()
    index = SearchIndex.from_catalog(doc)
    local_build = time.perf_counter() - start
    memory = held_by_index(doc)
    names, everything = naive_rows(doc, "names"), naive_rows(doc, "all")
    contenders: dict[str, Callable[[str], object]] = {
        "ours": index.search,
        "names": lambda q: naive_search(names, q),
        "all fields": lambda q: naive_search(everything, q),
    }
    report(builds, local_build, memory, keystrokes(contenders, args.repeats), args.repeats)
    report_hits(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
