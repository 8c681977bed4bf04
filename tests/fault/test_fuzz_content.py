"""Hostile YAML for `hall check` (and for the service's reload): every file of a centre, fuzzed.

A file of the sample centre is replaced by random text or bytes, by itself with lines deleted,
doubled or replaced by random YAML, by deep nesting, by anchors that expand, or by an alias that refers
to itself. Loading always returns, with the content or with problems that each name a file of the
centre and a line; it never raises, and nothing it accepts would make a document too big for a device.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.centre.loader import load_content
from content.centre.synth import SAMPLE
from content.service import documents
from tests.fault.strategies import examples, json_values

pytestmark = pytest.mark.fault

FILES = ["centre.yaml", "categories.yaml", "staff.yaml", "agents.yaml", "items/shebao.yaml", "items/minzheng.yaml"]


def _yaml_scalar() -> st.SearchStrategy[str]:
    return st.sampled_from(
        ["", "~", "null", "yes", "no", "9:00", "0x1F", "1e400", ".nan", "'𠮷'", '"\\ud800"', "!!binary aGk=",
         "!!python/object:os.system ls", "&a x", "*nowhere", "[", "{", "- - -", "? x", "|", ">", "%YAML 1.1"]
    ) | json_values.map(repr)  # fmt: skip


@st.composite
def hostile(draw: st.DrawFn, original: str) -> bytes:
    lines = original.splitlines()
    kind = draw(st.sampled_from(["text", "bytes", "lines", "nesting", "bomb", "loop"]))
    if kind == "text":
        return draw(st.text(max_size=400)).encode("utf-8", "surrogatepass")
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    if kind == "nesting":
        depth = draw(st.integers(min_value=1, max_value=5000))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("- ", "")]))
        return (opener * depth + "x" + closer * depth).encode()
    if kind == "bomb":
        width, depth = draw(st.integers(2, 12)), draw(st.integers(2, 12))
        rows = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
        rows += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, depth)]
        key = original.split(":", 1)[0] if ":" in original else "items"
        return ("\n".join(rows) + f"\n{key}: *l{depth - 1}\n").encode()
    if kind == "loop":
        return b"staff: &me [*me]\n" if draw(st.booleans()) else b"a: &m {b: *m}\n"
    for _ in range(draw(st.integers(min_value=1, max_value=6))):  # lines
        index = draw(st.integers(min_value=0, max_value=max(0, len(lines) - 1)))
        action = draw(st.sampled_from(["delete", "double", "replace", "value"]))
        if not lines:
            break
        if action == "delete":
            del lines[index]
        elif action == "double":
            lines.insert(index, lines[index])
        elif action == "replace":
            lines[index] = draw(_yaml_scalar())
        elif ":" in lines[index]:
            lines[index] = lines[index].split(":", 1)[0] + ": " + draw(_yaml_scalar())
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def test_any_file_of_a_centre_gives_content_or_located_problems(tmp_path: Path) -> None:
    centre = tmp_path / "centre"
    shutil.copytree(SAMPLE, centre)
    originals = {name: (centre / name).read_text(encoding="utf-8") for name in FILES}

    @examples(ci=120)
    @given(st.sampled_from(FILES).flatmap(lambda name: st.tuples(st.just(name), hostile(originals[name]))))
    def run(change: tuple[str, bytes]) -> None:
        name, data = change
        (centre / name).write_bytes(data)
        try:
            result = load_content(centre, label="c")
            if result.content is None:
                assert result.problems
                for problem in result.problems:
                    assert problem.file.startswith("c/") and problem.line >= 1 and problem.message, problem
                    assert len(str(problem)) < 600, problem
            else:
                assert documents.oversized(result.content, datetime.now(UTC)) == []
        finally:
            (centre / name).write_text(originals[name], encoding="utf-8")

    run()
