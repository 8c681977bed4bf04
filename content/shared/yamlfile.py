"""YAML loading that remembers where every value came from, and checking it against a model.

`load_yaml` returns plain Python data and a `Located` index so that a validation error found
later, at a path such as ("items", 3, "limits", "promised"), can be reported as `file:line`.
Duplicate keys, which PyYAML silently collapses, are reported as errors. Where YAML's own rules
catch an editor out (an unquoted `off` read as false, `01` as a number, a tab in the indentation, a
bracket left open), the problem says which rule and how to write it instead; so it does for the slips of a
Chinese input method (a full-width colon, bracket, comma or space where YAML needs its own), on the line
where they are. Every message comes from the `shared` catalog.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.shared.catalog import N_, domain
from content.shared.files import TooLarge, UnsafeFile, read_regular

_ = domain("shared").gettext

M = TypeVar("M", bound=BaseModel)

Path_ = Sequence[str | int]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, where it is and what it is."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Located:
    """Line numbers (1-based) of the values in one YAML document, keyed by container."""

    file: str
    root_line: int = 1
    _lines: dict[int, dict[Hashable, int]] = field(default_factory=dict)
    _keep: list[object] = field(default_factory=list)
    _tokens: dict[int, dict[Hashable, str]] = field(default_factory=dict)
    """The source text of unquoted values YAML read as something other than text (off, 01, 1.10)."""

    def record(self, container: object, key: Hashable, line: int) -> None:
        if id(container) not in self._lines:
            self._keep.append(container)  # ids stay valid while we hold the object
            self._lines[id(container)] = {}
        self._lines[id(container)][key] = line

    def record_token(self, container: object, key: Hashable, token: str) -> None:
        """Call after `record` for the same container, which keeps it alive."""
        self._tokens.setdefault(id(container), {})[key] = token

    def line_in(self, container: object, key: Hashable, default: int) -> int:
        """The line recorded for `key` of `container`, or `default`."""
        return self._lines.get(id(container), {}).get(key, default)

    def token_of(self, data: object, path: Path_) -> str | None:
        """How the value on `path` was written, when YAML read it as a boolean, number or date."""
        node = data
        for key in path:
            tokens = self._tokens.get(id(node))
            if tokens is not None and key in tokens:
                return tokens[key]
            try:
                node = node[key]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                return None
        return None

    def line_of(self, data: object, path: Path_) -> int:
        """The line of the deepest value on `path` that exists in `data`."""
        line = self.root_line
        node = data
        for key in path:
            lines = self._lines.get(id(node))
            if lines is None or key not in lines:
                break
            line = lines[key]
            try:
                node = node[key]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                break
        return line

    def problem(self, data: object, path: Path_, message: str) -> Problem:
        return Problem(self.file, self.line_of(data, path), message)


MAX_VALUES = 1_000_000
"""Values one file may hold once its aliases are followed: `*name` is a copy of what `&name` marked, and
nine levels of nine copies ("billion laughs") are 387 million values for a validator to walk."""
MAX_DEPTH = 40
"""How deep lists and mappings may nest. The deepest content is a handful of levels (an item's documents'
notes); loading and validating walk by recursion, and a thousand `[` would exhaust Python's stack."""
MAX_FILE_BYTES = 16 * 1024 * 1024
"""A content file is read whole; a 2,000-item catalog is about 3 MB of YAML."""

# libyaml's parser is about five times faster than the pure-Python one and gives the same marks.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    located: Located
    problems: list[Problem]


_NOT_TEXT = (bool, int, float, date)
"""What YAML makes of some unquoted scalars (off, 01, 1.10, 2024-05-01) that an editor meant as text."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, Hashable):
            message = _("a key must be plain text, not a list or a mapping: write it as name: value")
            loader.problems.append(Problem(loader.located.file, line, message))
            continue
        if key in mapping:
            first = loader.located.line_in(mapping, key, line)
            message = _(
                "the key '{key}' is written twice in one mapping (first on line {first}): keep one, or rename the other"
            ).format(key=shown_text(str(key)), first=first)
            loader.problems.append(Problem(loader.located.file, line, message))
        value = mapping[key] = loader.construct_object(value_node, deep=True)
        loader.located.record(mapping, key, key_node.start_mark.line + 1)
        if isinstance(value, _NOT_TEXT) and isinstance(value_node, yaml.ScalarNode):
            loader.located.record_token(mapping, key, value_node.value)
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> list[Any]:
    items: list[Any] = []
    for index, child in enumerate(node.value):
        value = loader.construct_object(child, deep=True)
        items.append(value)
        loader.located.record(items, index, child.start_mark.line + 1)
        if isinstance(value, _NOT_TEXT) and isinstance(child, yaml.ScalarNode):
            loader.located.record_token(items, index, child.value)
    return items


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_yaml(text: str, name: str) -> tuple[Any, Located, list[Problem]]:
    """Parse one YAML document. Syntax errors come back as problems, never as exceptions.

    The slips of a Chinese input method (`slips`) come back as problems at their own lines, with no data:
    the file does not say what its writer meant, and what YAML made of it would only add problems that
    follow from them."""
    located = Located(name)
    found = slips(text)
    slipped = [Problem(name, line, message) for line, message, _breaks in found]
    breaking = {line for line, _message, breaks in found if breaks}
    try:
        loader = _Loader(text)  # the pure-Python reader checks the characters here
    except yaml.reader.ReaderError as exc:
        return None, located, [*slipped, _unacceptable(exc, text, name)]
    loader.located = located
    loader.problems = []
    try:
        node = loader.get_single_node()
        if node is not None:
            wrong = _expansion(node)
            if wrong is not None:
                return None, located, [*slipped, Problem(name, wrong[0], wrong[1])]
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        problem = _syntax_problem(exc, text, name)
        if _explained(exc, problem, breaking, text):
            return None, located, slipped  # what the parser tripped on is a slip already named
        return None, located, sorted([*slipped, problem])
    except yaml.reader.ReaderError as exc:
        return None, located, [*slipped, _unacceptable(exc, text, name)]
    except yaml.YAMLError:
        return None, located, [*slipped, Problem(name, 1, _("this file is not YAML the parser can read"))]
    except RecursionError:  # the pure-Python parser (no libyaml) composes by recursion
        return None, located, [*slipped, Problem(name, 1, _deep())]
    finally:
        loader.dispose()
    if slipped:
        return None, located, slipped
    return data, located, loader.problems


def _unacceptable(exc: yaml.reader.ReaderError, text: str, name: str) -> Problem:
    line = text.count("\n", 0, exc.position) + 1
    code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
    return Problem(name, line, _("a control character (code {code}) YAML does not accept: delete it").format(code=code))


def _explained(exc: yaml.MarkedYAMLError, problem: Problem, breaking: set[int], text: str) -> bool:
    """Whether a slip that breaks the structure (`breaking`: their lines) is what the parser tripped on: one on
    the line of its error, on the line of what it was reading, or on the last line with content before it (the
    parser notices a missing colon there)."""
    if not breaking:
        return False
    lines = text.split("\n")
    end = max(problem.line, _mark_line(exc))
    before = end - 1
    while before > 1 and (not lines[before - 1].strip() or lines[before - 1].lstrip().startswith("#")):
        before -= 1
    near = {problem.line, _mark_line(exc), *range(before, end + 1)}
    if exc.context_mark is not None:
        near.add(exc.context_mark.line + 1)
    return bool(breaking & near)


def _deep() -> str:
    return _("nested more than {depth} levels deep (content is a few levels deep): close what is open").format(
        depth=MAX_DEPTH
    )


def _mark_line(exc: yaml.MarkedYAMLError) -> int:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else 1


# -- the slips of a Chinese input method ----------------------------------------------------------------

_KEY = r"[a-z_][a-z0-9_]*"
"""A key as the hall's files write them: lowercase latin letters, digits and '_'."""
_WORD = r"[A-Za-z0-9_.-]+"
"""An id or a value in a list of them (shebao, mon, w01)."""
_WIDE_COLON = re.compile(rf"^[ \t\u3000]*(?:[-\uff0d][ \t\u3000]+)?({_KEY})[ \t\u3000]*\uff1a")
"""`name：魏城`: a key, then the full-width colon (U+FF1A)."""
_SPACE_AFTER_COLON = re.compile(rf"^[ \t]*(?:-[ \t]+)?({_KEY}):\u3000")
_WIDE_INDENT = re.compile(rf"^[ \t]*\u3000[ \t\u3000]*(?:[-\uff0d]|{_KEY}[ \t\u3000]*[:\uff1a])")
_WIDE_DASH = re.compile(r"^[ \t]*\uff0d[ \t\u3000]")
_OPENERS = "\u3010\uff3b\uff08\u300c\uff5b\u3014"  # catalog: data (【［（「｛〔)
_CLOSERS = "\u3011\uff3d\uff09\u300d\uff5d\u3015"  # catalog: data (】］）」｝〕)
_SEPARATORS = ",\uff0c\u3001"  # catalog: data (, ， 、)
_WIDE_LIST = re.compile(
    rf"^(?:[ \t]*(?:-[ \t]+)?{_KEY}:[ \t]+|[ \t]*-[ \t]+)"
    rf"([{_OPENERS}\[])[ \t]*({_WORD}(?:[ \t]*[{_SEPARATORS}][ \t]*{_WORD})*)[ \t]*([{_CLOSERS}\]])[ \t]*$"
)
"""`categories: 【shebao，yiliao】`, `days: [mon，tue]`: a list of ids written with Chinese punctuation."""
_BLOCK_SCALAR = re.compile(r"(?:^|[:\-][ \t]+)[|>][0-9+-]*[ \t]*$")
_COMMENT = re.compile(r"(?:^|[ \t])#.*$")


def slips(text: str) -> list[tuple[int, str, bool]]:
    """(line, what to type instead) for each place where a Chinese input method's punctuation stands where
    YAML needs its own: a full-width colon after a key, a full-width space in the indentation or after a
    colon, a full-width dash before a list item, Chinese brackets or commas around a list of ids. Text in
    a block (after `|` or `>`) and comments are the writer's own, and never a slip. The flag: whether the
    slip breaks the file's structure (a key YAML does not see), which the parser then trips on."""
    found: list[tuple[int, str, bool]] = []
    block: int | None = None  # the indentation of the line that opened a block of text, while in it
    for number, raw in enumerate(text.split("\n"), start=1):
        indent = len(raw) - len(raw.lstrip(" "))
        if block is not None:
            if not raw.strip() or indent > block:
                continue
            block = None
        line = _COMMENT.sub("", raw).rstrip()
        if not line.strip():
            continue
        slip = _slip(line)
        if slip is not None:
            breaks, message = slip
            found.append((number, message, breaks))
        elif _BLOCK_SCALAR.search(line):
            block = indent
    return found


def _slip(line: str) -> tuple[bool, str] | None:
    """(whether it breaks the structure, what to type instead) for a slip on `line`, or None."""
    colon = _WIDE_COLON.match(line)
    if colon:
        return True, _(
            "the colon after '{key}' is the full-width '：' of a Chinese input method, which YAML does not read: "
            "type the ASCII colon and a space, as in '{key}: '"
        ).format(key=colon.group(1))
    if _WIDE_INDENT.match(line):
        return True, _(
            "the indentation of this line has a full-width space '　', which YAML does not count: "
            "indent with ASCII spaces only (switch the input method to English)"
        )
    space = _SPACE_AFTER_COLON.match(line)
    if space:
        return True, _(
            "after '{key}:' comes a full-width space '　', which YAML does not read as one: "
            "type an ASCII space instead (switch the input method to English)"
        ).format(key=space.group(1))
    if _WIDE_DASH.match(line):
        return True, _("the dash before this list item is the full-width '－': type the ASCII '-' and a space")
    listed = _WIDE_LIST.match(line)
    if listed:
        opener, items, closer = listed.groups()
        example = ", ".join(re.split(rf"[ \t]*[{_SEPARATORS}][ \t]*", items))
        if opener != "[" or closer != "]":
            return False, _(
                "'{opener}' and '{closer}' are Chinese brackets, which YAML reads as text: write a list with "
                "ASCII brackets and commas, as in [{example}]"
            ).format(opener=opener, closer=closer, example=example)
        wide = next((c for c in items if c in _SEPARATORS[1:]), None)
        if wide is not None:
            return False, _(
                "the '{comma}' in this list is Chinese punctuation, which YAML reads as part of an item: "
                "separate the items with ASCII commas, as in [{example}]"
            ).format(comma=wide, example=example)
    return None


# -- the parser's errors, as what to do ---------------------------------------------------------------

_WIDE_QUOTES = "\u300c\u300d\u300e\u300f\u201c\u201d\u2018\u2019"  # catalog: data (「」『』“”‘’)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, name: str) -> Problem:
    """A syntax error as what to do about it, at the line where the mistake is (which is not always where
    the parser noticed it: a flow list left open, a line without its colon)."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    lines = text.split("\n")
    problem = exc.problem or ""
    context = exc.context or ""
    opened = exc.context_mark
    source = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    column = mark.column if mark is not None else 0
    if (
        opened is not None
        and context.startswith("while parsing a flow ")
        and problem.startswith(("did not find expected ','", "expected ','"))
    ):
        bracket, closer = ("[", "]") if "sequence" in context else ("{", "}")
        start = opened.line + 1
        if line > start or mark is None or _blank_after(lines, mark):
            if line > start + 1:
                message = _(
                    "the '{bracket}' opened on line {start} is never closed: add the '{closer}' "
                    "(or a ',' between its items before line {line})"
                ).format(bracket=bracket, start=start, closer=closer, line=line)
            else:
                message = _("the '{bracket}' opened on line {start} is never closed: add the '{closer}'").format(
                    bracket=bracket, start=start, closer=closer
                )
            return Problem(name, start, message)
        return Problem(name, start, _("the '{bracket}' here needs a ',' between its items").format(bracket=bracket))
    if mark is not None and ("tab" in problem or "cannot start any token" in problem):
        indent = source[: len(source) - len(source.lstrip(" \t"))]
        if "\t" in indent:
            return Problem(name, line, _("a tab in the indentation: YAML does not allow tabs, indent with spaces"))
        if source[column : column + 1] == "\t":
            return Problem(name, line, _("a tab character here, which YAML does not accept: type spaces instead"))
        character = source[column : column + 1] or "?"
        return Problem(
            name,
            line,
            _("a value cannot begin with '{character}' in YAML: put the whole value in double quotes").format(
                character=character
            ),
        )
    if "could not find expected ':'" in problem and opened is not None:
        return Problem(name, opened.line + 1, _no_colon())
    if "mapping values are not allowed" in problem:
        return Problem(name, line, _colon_here(source, column))
    if "maximum nesting depth" in problem:
        return Problem(name, line, _deep())
    if "undefined alias" in problem:
        alias = re.match(r"\*([^\s,\[\]{}]*)", source[column:])
        return Problem(
            name,
            line,
            _(
                "'*{alias}' refers to an anchor '&{alias}' defined nowhere above: define it, or, when the '*' "
                "is part of the text, put the whole value in double quotes"
            ).format(alias=alias.group(1) if alias else ""),
        )
    if context.startswith(("while scanning an alias", "while scanning an anchor")):
        sign = "*" if "alias" in context else "&"
        return Problem(
            name,
            line,
            _("a value that begins with '{sign}' is read as an anchor or an alias: put it in double quotes").format(
                sign=sign
            ),
        )
    if context.startswith("while scanning a quoted scalar") and opened is not None:
        return Problem(name, opened.line + 1, _quote_never_closed())
    if "escape character" in problem:
        return Problem(
            name,
            line,
            _(
                "in double quotes a '\\' begins an escape YAML does not know here: write '\\\\', "
                "or put the value in single quotes"
            ),
        )
    if context.startswith("expected a single document"):
        return Problem(
            name, line, _("a second document begins here ('---'): a file holds one; remove the line or the rest")
        )
    if context.startswith("while scanning a block scalar"):
        return Problem(
            name,
            line,
            _("after '|' or '>' comes nothing but the line's end: begin the text on the next line, indented"),
        )
    if context.startswith("while scanning a directive") or "<document start>" in problem:
        return Problem(
            name, line, _("a line that begins with '%' is a YAML directive: when it is text, put it in quotes")
        )
    if "duplicate anchor" in context:
        return Problem(name, line, _("this anchor ('&') is defined a second time: give it another name"))
    if mark is not None and not context.startswith(("while scanning a quoted scalar", "while parsing a quoted")):
        # What the parser noticed late: a quote or a bracket opened on an earlier line and never closed.
        before = "\n".join([*lines[: mark.line], source[:column]])
        quoted = _open_quote(lines[: mark.line])
        if quoted is not None:
            return Problem(name, quoted, _quote_never_closed())
        unclosed = _unclosed(before)
        if unclosed is not None and (unclosed[0] < line or _blank_after(lines, mark)):
            start, bracket = unclosed
            message = _("the '{bracket}' opened on line {start} is never closed: add the '{closer}'").format(
                bracket=bracket, start=start, closer="]" if bracket == "[" else "}"
            )
            return Problem(name, start, message)
    if "node content" in problem:
        return Problem(
            name,
            line,
            _(
                "a value is missing here (an empty item between commas, or a bracket with nothing before it): "
                "write the value, or put the text in double quotes"
            ),
        )
    if context.startswith("while parsing a block collection") and opened is not None:
        return Problem(
            name,
            line,
            _(
                "this line does not line up with the list from line {start}: each item begins with '- ' at the "
                "same indentation, and the keys of an item line up with its first key"
            ).format(start=opened.line + 1),
        )
    if context.startswith("while parsing a block mapping") and opened is not None:
        return Problem(
            name,
            line,
            _(
                "this line does not line up with the keys from line {start}: the keys of one level begin in the "
                "same column, and a list under a key is indented under it"
            ).format(start=opened.line + 1),
        )
    if "<block end>" in problem or "expected key" in problem:
        return Problem(name, line, _("this line is indented differently from the lines above: line it up"))
    return Problem(
        name,
        line,
        _("this line is not YAML: check the indentation, colons, quotes and brackets of this line and the one above"),
    )


def _quote_never_closed() -> str:
    return _("the quote opened on this line is never closed: end the value with the same quote")


_OPENING_QUOTE = re.compile(r"""^[ \t]*(?:-[ \t]+)?(?:[^\s:#'"][^:#]*:[ \t]+)?(["'])(.*)$""")


def _open_quote(lines: list[str]) -> int | None:
    """The line (1-based) of the last value among `lines` that opens a quote it does not close on its line:
    content's quoted values are one line each, so the parser read on until a quote lines later."""
    found = None
    for number, line in enumerate(lines, start=1):
        match = _OPENING_QUOTE.match(line)
        if match is None:
            continue
        quote, rest = match.groups()
        closing = rest.replace("\\\\", "").replace('\\"', "") if quote == '"' else rest.replace("''", "")
        if quote not in closing:
            found = number
    return found


def _unclosed(text: str) -> tuple[int, str] | None:
    """(line, bracket) of the last '[' or '{' still open at the end of `text`, outside quotes and comments."""
    stack: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        quote = ""
        for index, character in enumerate(line):
            if quote:
                quote = "" if character == quote else quote
            elif character in "'\"" and (index == 0 or line[index - 1] in " \t[{,:"):
                quote = character
            elif character == "#" and (index == 0 or line[index - 1] in " \t"):
                break
            elif character in "[{":
                stack.append((number, character))
            elif character in "]}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _no_colon() -> str:
    return _(
        "this line has no colon after its key: write 'key: value' with an ASCII colon and a space "
        "(name: 魏城便民服务中心); when the line continues the text of the line above, join it to that line"
    )


def _colon_here(source: str, column: int) -> str:
    """`mapping values are not allowed here`: a second ': ' in a value, a value in Chinese quotes, or a key
    indented under a key that has a value."""
    if any(quote in source for quote in _WIDE_QUOTES):
        return _(
            "Chinese quotes (「」 “”) do not quote in YAML, and the ': ' in the text ends the key: put the whole "
            'value in ASCII double quotes, as in name: "…"'
        )
    before = source[:column].strip().removeprefix("-").strip()
    if re.search(r":(\s|$)", before):
        return _(
            "the value on this line has a ': ' (colon and space), which YAML reads as another key: put the "
            'whole value in double quotes, as in address: "…"'
        )
    return _(
        "'{key}:' is indented more than the key above, which has a value already: line it up with the other "
        "keys of its level (the same number of spaces)"
    ).format(key=before or "…")


def _blank_after(lines: list[str], mark: yaml.Mark) -> bool:
    """Whether nothing but white space follows `mark`: the parser reached the end of the file."""
    if mark.line >= len(lines):
        return True
    return not (lines[mark.line][mark.column :].strip() or any(rest.strip() for rest in lines[mark.line + 1 :]))


def _expansion(root: yaml.Node) -> tuple[int, str] | None:
    """(line, what is wrong) when a composed document nests deeper than MAX_DEPTH, its aliases would
    make it more than MAX_VALUES values, or an alias refers to the collection it stands in; None when
    all is well. Counts each node once however many aliases name it (so the count itself is cheap), and
    walks with a stack of its own: a document may be nested a thousand deep."""
    sizes: dict[int, int] = {}
    pending: set[int] = set()
    heights: dict[int, int] = {}  # levels of lists and mappings in a node, itself included, aliases followed
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        children = _children(node)
        key = id(node)
        if finished:
            pending.discard(key)
            total = 1 + sum(sizes.get(id(child), 1) for child in children)
            sizes[key] = total
            heights[key] = isinstance(node, yaml.CollectionNode) + max(
                (heights.get(id(c), 0) for c in children), default=0
            )
            if heights[key] > MAX_DEPTH:
                return node.start_mark.line + 1, _deep()
            if total > MAX_VALUES:
                return node.start_mark.line + 1, _(
                    "the anchors and aliases here expand to more than {count} values: write the values out"
                ).format(count=f"{MAX_VALUES:,}")
            continue
        if key in pending:
            return node.start_mark.line + 1, _itself()
        if key in sizes:
            continue
        pending.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in pending:
                return child.start_mark.line + 1, _itself()
            stack.append((child, False))
    return None


def _itself() -> str:
    return _("an alias here refers to itself (or to what contains it): write the value out")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_yaml(path: Path, name: str | None = None) -> tuple[Any, Located, list[Problem]]:
    """The file's data, where each value is, and what is wrong. Read as `content.shared.files` reads: a link to
    a file is followed (an operator's), a FIFO or a device is refused without waiting or reading."""
    label = name or str(path)

    def refused(message: str) -> tuple[Any, Located, list[Problem]]:
        return None, Located(label), [Problem(label, 1, message)]

    try:
        data = read_regular(path, MAX_FILE_BYTES, follow=True)
    except TooLarge as exc:
        megabytes = (exc.size or MAX_FILE_BYTES + 1) / 2**20
        return refused(
            _("the file is {size} MB, more than the {limit} MB a content file may be").format(
                size=f"{megabytes:.1f}", limit=MAX_FILE_BYTES // 2**20
            )
        )
    except UnsafeFile:
        return refused(_not_a_file(path))
    except FileNotFoundError:
        return refused(_("the file is missing"))
    except PermissionError:
        return refused(_("cannot read the file: permission denied"))
    except OSError as exc:
        return refused(_("cannot read the file: {reason}").format(reason=exc.strerror))
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as a text file reads
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Located(label), [Problem(label, line, _not_utf8(exc.start))]
    return parse_yaml(text.removeprefix("\ufeff"), label)


def _not_utf8(offset: int) -> str:
    return _(
        "the file is not UTF-8 text (byte {offset}): save it as UTF-8 (an editor's 'Save as' offers the "
        "encoding; Notepad's GBK or ANSI is not it)"
    ).format(offset=offset)


def _not_a_file(path: Path) -> str:
    """What a content file's path names instead of a regular file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if stat.S_ISDIR(mode):
        return _("this is a directory, not a file")
    if stat.S_ISFIFO(mode):
        return _("this is a FIFO (a named pipe), not a regular file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("this is a device, not a regular file")
    return _("this is not a regular file")


_PATTERN_HINTS = {
    "id": N_("'{name}' must be lowercase latin letters, digits and '-' (e.g. shebao-canbao); got {value}"),
    "parent": N_("'{name}' must be a centre id: lowercase latin letters, digits and '-'; got {value}"),
    "category": N_("'{name}' must be a category id: lowercase latin letters, digits and '-'; got {value}"),
    "window": N_("'{name}' must be a window id: lowercase latin letters, digits and '-'; got {value}"),
    "phone": N_("'{name}' is not a phone number (digits, '-' and spaces, e.g. 0816-2345678); got {value}"),
    "open": N_("'{name}' must be a 24-hour time in quotes, e.g. \"08:30\"; got {value}"),
    "close": N_("'{name}' must be a 24-hour time in quotes, e.g. \"17:30\"; got {value}"),
    "prefix": N_("'{name}' must be capital latin letters (A … Z, AA …); got {value}"),
    "public_url": N_("'{name}' must be an http:// or https:// address, e.g. http://hall.local:8080; got {value}"),
}
"""Friendlier words for pydantic's pattern errors, by the name of the field."""
_WRONG_FORM = N_("'{name}' has the wrong form: {value}")
_PATTERN_HINTS["hotline"] = _PATTERN_HINTS["complaint_phone"] = _PATTERN_HINTS["phone"]

_TYPE_WORDS = {
    "string_type": N_("'{name}' should be text, got {value}"),
    "int_type": N_("'{name}' should be a whole number, got {value}"),
    "int_parsing": N_("'{name}' should be a whole number, got {value}"),
    "int_from_float": N_("'{name}' should be a whole number, got {value}"),
    "bool_type": N_("'{name}' should be true or false, got {value}"),
    "bool_parsing": N_("'{name}' should be true or false, got {value}"),
    "list_type": N_("'{name}' should be a list, got {value}"),
    "dict_type": N_("'{name}' should be a mapping of keys to values, got {value}"),
    "model_type": N_("'{name}' should be a mapping of keys to values, got {value}"),
    "model_attributes_type": N_("'{name}' should be a mapping of keys to values, got {value}"),
    "date_type": N_("'{name}' should be a date, as in 2026-05-01, got {value}"),
    "date_parsing": N_("'{name}' should be a date, as in 2026-05-01, got {value}"),
    "date_from_datetime_parsing": N_("'{name}' should be a date, as in 2026-05-01, got {value}"),
    "date_from_datetime_inexact": N_("'{name}' should be a date, as in 2026-05-01, got {value}"),
}
_BOUNDS = {
    "greater_than_equal": ("ge", N_("'{name}' must be at least {bound}, got {value}")),
    "greater_than": ("gt", N_("'{name}' must be more than {bound}, got {value}")),
    "less_than_equal": ("le", N_("'{name}' must be at most {bound}, got {value}")),
    "less_than": ("lt", N_("'{name}' must be less than {bound}, got {value}")),
}


def _field_name(loc: Sequence[str | int]) -> str:
    names = [part for part in loc if isinstance(part, str)]
    return names[-1][:60] if names else _("the file")


def shown(value: Any, limit: int = 60) -> str:
    """`repr(value)`, shortened to `limit` characters: a message names what is wrong without
    repeating a whole 5,000-character step, or a hostile payload, back at its reader."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_text(text: str, limit: int = 60) -> str:
    """`text` as it is, shortened to `limit` characters (a key, a name in a message)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as "a, b, c": the values to choose from, without English between them."""
    found = re.findall(r"'([^']*)'", expected)
    return ", ".join(found) if found else expected


def describe_error(error: Any) -> str:
    """One pydantic error as a sentence a content editor understands."""
    kind = error["type"]
    loc = error["loc"]
    name = _field_name(loc)
    got = error.get("input")
    ctx = error.get("ctx") or {}
    value = shown(got)
    if kind == "string_too_long":
        return _("'{name}' has {count} characters, more than the {limit} it may have: {value}").format(
            name=name, count=len(got), limit=ctx.get("max_length"), value=value
        )
    if kind == "too_long":
        return _("'{name}' has {count} entries, more than the {limit} allowed").format(
            name=name, count=ctx.get("actual_length", len(got)), limit=ctx.get("max_length")
        )
    if kind == "string_too_short":
        return _("'{name}' is empty: write its text, or remove the key").format(name=name)
    if kind == "too_short":
        return _("'{name}' needs at least {count} entries").format(name=name, count=ctx.get("min_length", 1))
    if kind == "missing":
        return _("missing field '{key}'").format(key=shown_text(str(loc[-1])))
    if kind == "extra_forbidden":
        key = shown_text(str(loc[-1]))
        if not key.isascii():
            return _(
                "unknown key '{key}': keys are written as in the sample, in lowercase latin letters "
                "(name, fee, note), with an ASCII colon and a space after them"
            ).format(key=key)
        return _("unknown key '{key}': check its spelling against the sample, or remove it").format(key=key)
    if kind == "string_type" and isinstance(got, int) and name in ("open", "close"):
        return _(
            "'{name}' must be a time in quotes, e.g. \"09:00\" (YAML reads 9:00 unquoted as the number {number})"
        ).format(name=name, number=got)
    if kind in _TYPE_WORDS:
        return _(_TYPE_WORDS[kind]).format(name=name, value=value)
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return _(words).format(name=name, bound=ctx.get(key), value=value)
    if kind == "literal_error":
        return _("'{name}' must be one of {choices}, got {value}").format(
            name=name, choices=_choices(str(ctx.get("expected", ""))), value=value
        )
    if kind == "string_pattern_mismatch":
        return _(_PATTERN_HINTS.get(name, _WRONG_FORM)).format(name=name, value=value)
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return _("'{name}' is not a value it may have ({detail}): {value}").format(
        name=name, detail=error["msg"], value=value
    )


def _unquoted(error: Any, token: str) -> str | None:
    """The hint for text that YAML read as something else because it was not in quotes (`status: off`
    is false, `phone: 01` the number 1), or None when the error is of another kind."""
    kind = error["type"]
    got = error.get("input")
    name = _field_name(error["loc"])
    expected = str((error.get("ctx") or {}).get("expected", ""))
    if kind == "string_type":
        if name in ("open", "close") and not isinstance(got, bool):
            return None  # describe_error's hint for times says more
    elif not (kind == "literal_error" and expected.startswith("'")):
        return None
    if isinstance(got, bool):
        read = _("the boolean {value}").format(value="true" if got else "false")
    elif isinstance(got, int | float):
        read = _("the number {value}").format(value=got)
    elif isinstance(got, date):
        read = _("a date")
    else:
        return None
    token = token if len(token) <= 40 else token[:39] + "…"
    if kind == "string_type":
        return _(
            "'{name}' should be text, but YAML read the unquoted {token} as {read}: write it in quotes, \"{token}\""
        ).format(name=name, token=token, read=read)
    return _(
        "'{name}' should be one of {choices}, but YAML read the unquoted {token} as {read}: "
        'write it in quotes, "{token}"'
    ).format(name=name, choices=_choices(expected), token=token, read=read)


def validate_model(
    model: type[M], data: Any, located: Located, holds: str | None = None
) -> tuple[M | None, list[Problem]]:
    """Validate one file's data. `holds` says what the file should hold, for the message when it is empty."""
    if data is None:
        message = _("the file is empty (or only comments): it should hold {holds}").format(
            holds=holds or _("a mapping of keys to values")
        )
        return None, [Problem(located.file, located.root_line, message)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            token = located.token_of(data, err["loc"])
            message = (_unquoted(err, token) if token is not None else None) or describe_error(err)
            problems.append(located.problem(data, err["loc"], message))
        return None, problems
