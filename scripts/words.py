"""The message catalogs: extract the words from the sources, keep the .po files up to date, compile them.

    .venv/bin/python scripts/words.py update     extract every domain, merge new ids into each .po, compile
    .venv/bin/python scripts/words.py missing    list the zh_CN ids still without words (exit 1 if any)
    .venv/bin/python scripts/words.py fill DOMAIN FILE.json   set zh_CN words from {"id": "词"}, compile
    .venv/bin/python scripts/words.py compile    compile every .po to its .mo

Babel does the extracting, merging and compiling; at run time the standard library's gettext reads the
.mo files (content/shared/catalog.py). The .mo files are committed, so an installed hall needs no Babel;
tests/content/shared/test_catalog.py checks they match their .po and the .po files match the sources.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "content" / "shared" / "locale"
LANGUAGES = ("zh_CN", "en")
STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""The catalogs' header dates: fixed, so that updating a catalog changes only its messages."""
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}


def _kv(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple[int, str, str, list[str]]]:
    """Kivy language files: `_("…")` calls in property values."""
    for number, line in enumerate(fileobj.read().decode("utf-8").splitlines(), start=1):
        for found in re.finditer(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)""", line):
            yield number, "_", ast.literal_eval(found.group(1)), []


def _argparse_source() -> list[tuple[Path, str]]:
    return [(Path(argparse.__file__), "python")]


def sources(domain: str) -> list[tuple[Path, Any]]:
    """The files of one domain, each with the extractor that reads it."""

    def py(*folders: str, exclude: Iterable[str] = ()) -> list[tuple[Path, Any]]:
        out: list[tuple[Path, Any]] = []
        for folder in folders:
            base = ROOT / folder
            files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
            out += [(f, "python") for f in files if not any(part in f.parts for part in exclude)]
        return out

    templates = ROOT / "content" / "web" / "templates"
    static = ROOT / "content" / "web" / "static"
    if domain == "shared":
        return py("content/shared")
    if domain == "service":
        return py(
            "content/service",
            "content/accounts",
            "content/broker",
            "content/devices",
            "content/queue",
            "content/cases",
        )
    if domain == "centre":
        return py("content/centre")
    if domain == "console":
        return py("content/web/console") + [(t, "jinja2") for t in sorted(templates.glob("console*.html"))]
    if domain == "console_js":
        return [(s, "javascript") for s in sorted(static.glob("*.js"))]
    if domain == "pages":
        web = [ROOT / "content" / "web" / f for f in ("app.py", "public.py", "server.py", "tracking.py")]
        pages = [t for t in sorted(templates.glob("*.html")) if not t.name.startswith("console")]
        return [(f, "python") for f in web] + [(t, "jinja2") for t in pages]
    if domain == "kiosk":
        return py("kiosk") + [(k, _kv) for k in sorted((ROOT / "kiosk").rglob("*.kv"))]
    if domain == "led":
        return py("led_driver")
    if domain == "hall":
        return py("hall")
    if domain == "argparse":
        return _argparse_source()
    raise SystemExit(f"no such domain {domain!r}")


def extract(domain: str) -> Catalog:
    """The domain's template: every id its sources mark, with where it is used."""
    template = Catalog(project="hall", creation_date=STAMP, revision_date=STAMP, fuzzy=False)
    for path, method in sources(domain):
        where = path.name if domain == "argparse" else str(path.relative_to(ROOT))
        options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"} if method == "jinja2" else {}
        if method == "jinja2":
            method = "jinja2.ext:babel_extract"
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, comment_tags=("Translators:",), options=options
        ):
            template.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    return template


def po_path(domain: str, lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


def read(domain: str, lang: str) -> Catalog:
    path = po_path(domain, lang)
    if not path.exists():
        return Catalog(locale=lang, domain=domain, project="hall", creation_date=STAMP, revision_date=STAMP)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


def write(catalog: Catalog, domain: str, lang: str) -> None:
    catalog.creation_date = STAMP
    catalog.revision_date = STAMP
    catalog.project = "hall"
    catalog.version = "1"
    catalog.fuzzy = False
    path = po_path(domain, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=120, sort_output=True, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    path.with_suffix(".mo").write_bytes(compiled.getvalue())


def compiled(domain: str, lang: str) -> bytes:
    """The .mo the .po compiles to (what the committed .mo must equal)."""
    buffer = io.BytesIO()
    write_mo(buffer, read(domain, lang), use_fuzzy=False)
    return buffer.getvalue()


def update(domains: Iterable[str]) -> None:
    from content.shared.catalog import DOMAINS  # noqa: F401 (checks the names below exist)

    for domain in domains:
        template = extract(domain)
        for lang in LANGUAGES:
            catalog = read(domain, lang)
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
            # An English id is its own English: the English catalog keeps its words empty unless a
            # sentence reads better reworded.
            write(catalog, domain, lang)


def missing(domains: Iterable[str]) -> list[tuple[str, str]]:
    out = []
    for domain in domains:
        for message in read(domain, "zh_CN"):
            if message.id and (
                not message.string or message.fuzzy or (isinstance(message.string, tuple) and not all(message.string))
            ):
                out.append((domain, message.id if isinstance(message.id, str) else message.id[0]))
    return out


def fill(domain: str, table: dict[str, Any]) -> list[str]:
    """Set zh_CN words for ids; returns the ids the catalog does not have (run `update` first)."""
    catalog = read(domain, "zh_CN")
    unknown = []
    for key, words in table.items():
        message = catalog.get(key)
        if message is None:
            unknown.append(key)
            continue
        message.string = tuple(words) if isinstance(words, list) else words
        message.flags.discard("fuzzy")
    write(catalog, domain, "zh_CN")
    return unknown


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from content.shared.catalog import DOMAINS

    parser = argparse.ArgumentParser(prog="scripts/words.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("update", "missing", "compile"):
        one = sub.add_parser(name)
        one.add_argument("domains", nargs="*", metavar="DOMAIN", help=f"of {', '.join(DOMAINS)} (default: all)")
    one = sub.add_parser("fill")
    one.add_argument("domain", choices=DOMAINS)
    one.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    domains = args.domains if getattr(args, "domains", None) else list(DOMAINS)
    for name in domains:
        if name not in DOMAINS:
            parser.error(f"no domain {name!r}: {', '.join(DOMAINS)}")
    if args.what == "update":
        update(domains)
    elif args.what == "compile":
        for domain in domains:
            for lang in LANGUAGES:
                write(read(domain, lang), domain, lang)
    elif args.what == "missing":
        gaps = missing(domains)
        for domain, message in gaps:
            print(f"{domain}: {message}")
        return 1 if gaps else 0
    elif args.what == "fill":
        unknown = fill(args.domain, json.loads(args.file.read_text(encoding="utf-8")))
        for key in unknown:
            print(f"not in the {args.domain} catalog (run update first): {key}", file=sys.stderr)
        return 1 if unknown else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
