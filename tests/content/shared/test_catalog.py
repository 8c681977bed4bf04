"""Every word a person reads comes from a catalog: the sources mark their words, the catalogs hold every
marked id, zh_CN has words for each, the committed .mo files are what the .po files compile to, and no
Chinese is left in a source outside a catalog call."""

from __future__ import annotations

import ast
import importlib.util
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from content.shared import catalog

ROOT = Path(__file__).resolve().parents[3]
HANZI = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f\uff01-\uff5e\u3000-\u303f]")
MARK = "# catalog: data"
"""A line whose Chinese is data, not words (a punctuation table, a name in a synthetic centre)."""
DATA_FILES = {
    "content/centre/stress.py": "the stress centre's content: names and guides, as a hall's YAML would hold",
    "content/centre/synth.py": "synthetic centres' content for benchmarks",
    "kiosk/samples.py": "sample content for the kiosk's screenshots, as the service would publish it",
    "content/shared/catalog.py": "the catalog itself",
}


def _load_words() -> object:
    spec = importlib.util.spec_from_file_location("words", ROOT / "scripts" / "words.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["words"] = module
    spec.loader.exec_module(module)
    return module


words = _load_words()


@pytest.mark.parametrize("domain", catalog.DOMAINS)
def test_every_zh_cn_id_has_its_words(domain: str) -> None:
    gaps = [message for d, message in words.missing([domain])]  # type: ignore[attr-defined]
    assert not gaps, f"{len(gaps)} ids of {domain} without zh_CN words (scripts/words.py missing): {gaps[:10]}"


@pytest.mark.parametrize("domain", [d for d in catalog.DOMAINS if d != "argparse"])
def test_the_catalog_holds_what_the_sources_mark(domain: str) -> None:
    marked = {m.id for m in words.extract(domain) if m.id}  # type: ignore[attr-defined]
    for lang in catalog.LANGUAGES:
        held = {m.id for m in words.read(domain, lang) if m.id}  # type: ignore[attr-defined]
        assert marked - held == set(), f"new ids not in {lang}/{domain}.po: run scripts/words.py update"
        assert held - marked == set(), f"ids no source marks in {lang}/{domain}.po: run scripts/words.py update"


@pytest.mark.parametrize("lang", catalog.LANGUAGES)
@pytest.mark.parametrize("domain", catalog.DOMAINS)
def test_the_committed_mo_is_the_po_compiled(domain: str, lang: str) -> None:
    mo = words.po_path(domain, lang).with_suffix(".mo")  # type: ignore[attr-defined]
    assert mo.read_bytes() == words.compiled(domain, lang), f"{mo} is stale: run scripts/words.py compile"  # type: ignore[attr-defined]


def _fields(text: str) -> set[str]:
    braces = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    percents = set(re.findall(r"%\((\w+)\)[sdrf]", text))
    return braces | percents


@pytest.mark.parametrize("domain", catalog.DOMAINS)
def test_the_words_keep_the_ids_placeholders(domain: str) -> None:
    """A translation that drops or renames {ticket} would fail at run time, in front of a citizen."""
    wrong = []
    for message in words.read(domain, "zh_CN"):  # type: ignore[attr-defined]
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        try:
            want = _fields(ids[-1])
            if any(_fields(s) != want for s in strings):
                wrong.append(ids[0])
        except ValueError:
            wrong.append(ids[0])
    assert not wrong, f"zh_CN words of {domain} whose placeholders differ from their id: {wrong}"


def _sources(*suffixes: str) -> list[Path]:
    out: list[Path] = []
    for package in ("content", "kiosk", "led_driver", "hall"):
        for suffix in suffixes:
            out += sorted((ROOT / package).rglob(f"*{suffix}"))
    return [p for p in out if "locale" not in p.parts and "samples" not in p.parts]


_CALLS = {"_", "N_", "gettext", "ngettext", "pgettext"}


def _in_catalog_calls(tree: ast.AST) -> set[int]:
    """The ids of every node inside the arguments of a catalog call (_, N_, gettext …)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in _CALLS:
                for arg in node.args:
                    inside |= {id(n) for n in ast.walk(arg)}
    return inside


def _chinese_outside_catalog(source: str) -> list[int]:
    tree = ast.parse(source)
    inside = _in_catalog_calls(tree)
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            docstrings.add(id(node.value))  # a bare string: a comment in the code, never shown
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and HANZI.search(node.value)
            and id(node) not in inside
            and id(node) not in docstrings
            and MARK not in lines[node.lineno - 1]
        ):
            found.append(node.lineno)
    return sorted(set(found))


def test_no_python_source_keeps_chinese_outside_the_catalog() -> None:
    offenders = []
    for path in _sources(".py"):
        relative = str(path.relative_to(ROOT))
        if relative in DATA_FILES:
            continue
        lines = _chinese_outside_catalog(path.read_text(encoding="utf-8"))
        offenders += [f"{relative}:{n}" for n in lines]
    assert not offenders, (
        f"{len(offenders)} Chinese strings outside a catalog call (mark words with _() from content.shared.catalog, "
        f"or data with '{MARK}'): {offenders[:30]}"
    )


_MARKUP_CALL = re.compile(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)""", re.S)
_TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
_COMMENTS = re.compile(r"{#.*?#}|<!--.*?-->|/\*.*?\*/|(?<![:\"'])//[^\n]*", re.S)


@pytest.mark.parametrize("suffix", [".html", ".js", ".kv"])
def test_no_template_script_or_kv_keeps_chinese_outside_the_catalog(suffix: str) -> None:
    offenders = []
    for path in _sources(suffix):
        text = _COMMENTS.sub("", _TRANS_BLOCK.sub("", _MARKUP_CALL.sub("_(", path.read_text(encoding="utf-8"))))
        if suffix == ".kv":
            text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        for number, line in enumerate(text.splitlines(), start=1):
            if HANZI.search(line) and MARK not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:60]}")
    assert not offenders, f"{len(offenders)} lines with Chinese outside the catalog: {offenders[:30]}"


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "zh_CN"),
        ({"LANG": "C.UTF-8"}, "zh_CN"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "HALL_LANG": "zh_CN"}, "zh_CN"),
        ({"HALL_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANGUAGE": "fr:zh_TW", "LANG": "en_US"}, "zh_CN"),
        ({"HALL_LANG": "zh-Hans"}, "zh_CN"),
    ],
)
def test_the_language_is_hall_lang_else_the_locale_else_chinese(environ: dict[str, str], lang: str) -> None:
    assert catalog.choose(environ) == lang


def test_a_process_speaks_the_language_it_is_given() -> None:
    probe = "from content.shared.catalog import domain; print(domain('argparse').gettext('usage: '))"
    for lang, want in (("zh_CN", "用法："), ("en", "usage: ")):
        out = subprocess.run(
            [sys.executable, "-c", probe],
            env={"HALL_LANG": lang, "PATH": "/usr/bin:/bin"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out.rstrip() == want.rstrip()


_ENGLISH_WORD = re.compile(r"(?<![\w./%{-])[A-Za-z]{2,}(?:'[a-z]+)?(?![\w./}(-])")
"""A word of English prose: not part of a path, a name with dots or dashes, a placeholder or a call."""
_SINKS = {"print", "error", "exit", "SystemExit", "debug", "info", "warning", "exception", "critical", "write"}
INTERNAL = "# catalog: internal"
"""A line whose English is for a programmer, never shown to a person (a programming error, a value a
caller turns into its own words)."""


def _english_outside_catalog(source: str) -> list[int]:
    tree = ast.parse(source)
    lines = source.splitlines()
    inside = _in_catalog_calls(tree)
    found = []
    for node in ast.walk(tree):
        said: ast.AST | None = None
        if isinstance(node, ast.Raise) and node.exc is not None:
            said = node.exc
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            said = node if name in _SINKS else None
        if said is None:
            continue
        for part in ast.walk(said):
            if id(part) in inside or not isinstance(part, ast.Constant | ast.JoinedStr):
                continue
            pieces = [part] if isinstance(part, ast.Constant) else part.values
            text = "".join(p.value for p in pieces if isinstance(p, ast.Constant) and isinstance(p.value, str))
            span = lines[part.lineno - 1 : (part.end_lineno or part.lineno)]
            if len(_ENGLISH_WORD.findall(text)) >= 3 and not any(INTERNAL in line for line in span):
                found.append(part.lineno)
                break
    return sorted(set(found))


def test_no_message_a_person_reads_is_english_outside_the_catalog() -> None:
    """What is raised, printed, written or logged reaches a person (a clerk at the command line, the
    installer reading the journal): an English sentence there must be a catalog id."""
    offenders = []
    for path in _sources(".py"):
        relative = str(path.relative_to(ROOT))
        offenders += [f"{relative}:{n}" for n in _english_outside_catalog(path.read_text(encoding="utf-8"))]
    assert not offenders, (
        f"{len(offenders)} English sentences raised, printed or logged outside a catalog call (wrap them in _(), "
        f"or mark a programmer's message '{INTERNAL}'): {offenders[:40]}"
    )
