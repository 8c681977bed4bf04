"""Hypothesis strategies for the fault suite: hostile JSON, near-valid commands, hostile YAML."""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from content.centre.loader import Content


def examples(ci: int) -> settings:
    """`ci` examples in CI, where a surface that costs much gets fewer; the profile's own (10,000) in
    the thorough run."""
    if os.environ.get("HYPOTHESIS_PROFILE") == "thorough":
        return settings()
    return settings(max_examples=ci)


# Values that have broken real programs: rare hanzi (outside the BMP), a lone surrogate, NUL, right-to-
# left override, zero-width joiner, a time YAML reads as a number, numbers past every limit.
ODD_TEXT = ["𠮷", "𡋗", "\ud800", "\x00", "\u202e", "\u200d", "9:00", "", " ", "A001", "../../etc/passwd", "Asia"]
ODD_NUMBERS = [0, -1, 2**31, 2**63, -(2**63), 10**30, 2**200]

text = st.text(max_size=40) | st.sampled_from(ODD_TEXT) | st.text(max_size=3).map(lambda t: t * 700)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.sampled_from(ODD_NUMBERS)
    | st.floats(allow_nan=True, allow_infinity=True)
    | text
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5), max_leaves=25
)


def near_valid_args(content: Content) -> st.SearchStrategy[dict[str, Any]]:
    """Command arguments whose keys are the real ones (and some not), with real ids among hostile values."""
    categories = [c.id for c in content.categories]
    windows = [w.id for w in content.centre.windows]
    staff = [m.id for m in content.staff]
    pools: dict[str, st.SearchStrategy[Any]] = {
        "text": text | st.text(min_size=1, max_size=600),
        "priority": st.sampled_from(["normal", "high", "emergency", "elderly", "disabled", "pregnant", "x"]),
        "duration_s": st.integers(min_value=-10, max_value=400 * 24 * 3600),
        "targets": st.lists(st.sampled_from(["all", "led", "kiosk", "x"]), max_size=5),
        "clear": st.sampled_from(["a1", "a2", "a20", "x"]),
        "staff": st.sampled_from(staff),
        "substitute": st.sampled_from(staff),
        "status": st.sampled_from(["on_duty", "away", "off", "leave", "x"]),
        "category": st.sampled_from(categories),
        "window": st.sampled_from(windows),
        "action": st.sampled_from(["next", "recall", "no_show", "ticket", "transfer", "done", "x"]),
        "ticket": st.from_regex(r"[A-Z][0-9]{3}", fullmatch=True),
        "state": st.sampled_from(["open", "pause", "x"]),
        "reason": text,
        "date": st.sampled_from(["2026-11-27", "2026-02-30", "x"]),
    }
    keys = st.sets(st.sampled_from(sorted(pools)) | text, max_size=5)

    def build(chosen: set[str], draw: st.DrawFn) -> dict[str, Any]:
        return {key: draw(pools[key] | json_values) if key in pools else draw(json_values) for key in chosen}

    return st.composite(lambda draw: build(draw(keys), draw))()


def documents_of(topic_docs: dict[str, dict[str, Any]]) -> st.SearchStrategy[tuple[str, bytes]]:
    """(topic, payload): a real document with one value replaced, or hostile bytes, or any JSON object."""

    @st.composite
    def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
        topic = draw(st.sampled_from(sorted(topic_docs)))
        doc = json.loads(json.dumps(topic_docs[topic]))
        node: Any = doc
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            if isinstance(node, dict) and node:
                key = draw(st.sampled_from(sorted(node, key=str)))
                if draw(st.booleans()) and isinstance(node[key], dict | list):
                    node = node[key]
                    continue
                node[key] = draw(json_values)
                break
            if isinstance(node, list) and node:
                index = draw(st.integers(min_value=0, max_value=len(node) - 1))
                if draw(st.booleans()) and isinstance(node[index], dict | list):
                    node = node[index]
                    continue
                node[index] = draw(json_values)
                break
        return topic, json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")

    raw = st.tuples(st.sampled_from(sorted(topic_docs)), st.binary(max_size=300))
    objects = st.tuples(
        st.sampled_from(sorted(topic_docs)),
        st.dictionaries(text, json_values, max_size=6).map(
            lambda d: json.dumps({"schema": 1, **d}, ensure_ascii=False).encode("utf-8", "surrogatepass")
        ),
    )
    return mutated() | raw | objects
