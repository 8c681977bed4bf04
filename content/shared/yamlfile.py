"""YAML loading that remembers where every value came from, and checking it against a model.

`load_yaml` returns plain Python data and a `Located` index so that a validation error found
later, at a path such as ("items", 3, "limits", "promised"), can be reported as `file:line`.
Duplicate keys, which PyYAML silently collapses, are reported as errors. Where YAML's own rules
catch an editor out (an unquoted `off` read as false, `01` as a number, a tab in the indentation, a
bracket left open), the problem says which rule and how to write it instead.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.shared.files import TooLarge, UnsafeFile, read_regular

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
        if not isinstance(key, Hashable):
            loader.problems.append(
                Problem(loader.located.file, key_node.start_mark.line + 1, "a key must be plain text")
            )
            continue
        if key in mapping:
            loader.problems.append(Problem(loader.located.file, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
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
    """Parse one YAML document. Syntax errors come back as problems, never as exceptions."""
    located = Located(name)
    loader = _Loader(text)
    loader.located = located
    loader.problems = []
    try:
        node = loader.get_single_node()
        if node is not None:
            wrong = _expansion(node)
            if wrong is not None:
                return None, located, [Problem(name, wrong[0], wrong[1])]
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        return None, located, [_syntax_problem(exc, text, name)]
    except yaml.YAMLError as exc:
        return None, located, [Problem(name, 1, f"YAML syntax: {exc}")]
    except RecursionError:  # the pure-Python parser (no libyaml) composes by recursion
        return None, located, [Problem(name, 1, f"nested more than {MAX_DEPTH} levels deep")]
    finally:
        loader.dispose()
    return data, located, loader.problems


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, name: str) -> Problem:
    """A syntax error in words for the two mistakes a hand-edited file makes most: a flow list or
    mapping left open, which the parser only notices at the next token, often lines later; and a
    tab in the indentation. Otherwise the parser's own words, at its line."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    lines = text.split("\n")
    problem = exc.problem or ""
    opened = exc.context_mark
    if (
        opened is not None
        and (exc.context or "").startswith("while parsing a flow ")
        and problem.startswith(("did not find expected ','", "expected ','"))
    ):
        bracket, closer = ("[", "]") if "sequence" in (exc.context or "") else ("{", "}")
        start = opened.line + 1
        if line > start or mark is None or _blank_after(lines, mark):
            missing = f" (or a ',' between its items before line {line})" if line > start + 1 else ""
            return Problem(
                name,
                start,
                f"YAML syntax: the '{bracket}' opened on line {start} is never closed: add the '{closer}'{missing}",
            )
        return Problem(name, start, f"YAML syntax: the '{bracket}' here needs a ',' between its items")
    if mark is not None and ("tab" in problem or "cannot start any token" in problem) and mark.line < len(lines):
        source = lines[mark.line]
        indent = source[: len(source) - len(source.lstrip(" \t"))]
        if "\t" in indent:
            return Problem(
                name,
                line,
                "YAML syntax: a tab in the indentation: YAML does not allow tabs for indentation, use spaces",
            )
        if source[mark.column : mark.column + 1] == "\t":
            return Problem(name, line, "YAML syntax: a tab character here, which YAML does not accept: use spaces")
    return Problem(name, line, f"YAML syntax: {exc.problem or exc.context or 'not valid YAML'}")


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
                return (
                    node.start_mark.line + 1,
                    f"nested more than {MAX_DEPTH} levels deep (content is a few levels deep)",
                )
            if total > MAX_VALUES:
                return node.start_mark.line + 1, f"anchors and aliases here expand to more than {MAX_VALUES:,} values"
            continue
        if key in pending:
            return node.start_mark.line + 1, "an alias here refers to itself (or to what contains it)"
        if key in sizes:
            continue
        pending.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in pending:
                return child.start_mark.line + 1, "an alias here refers to itself (or to what contains it)"
            stack.append((child, False))
    return None


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
        return refused(f"is {megabytes:.1f} MB, more than the {MAX_FILE_BYTES // 2**20} MB a content file may be")
    except UnsafeFile as exc:
        return refused(exc.problem)
    except OSError as exc:
        return refused(f"cannot read: {exc.strerror}")
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as a text file reads
    except UnicodeDecodeError as exc:
        return refused(f"not UTF-8 text (byte {exc.start})")
    return parse_yaml(text, label)


# Friendlier words for pydantic's pattern errors, by the name of the field.
_PATTERN_HINTS = {
    "id": "must be lowercase latin letters, digits and '-' (e.g. shebao-canbao)",
    "parent": "must be a centre id: lowercase latin letters, digits and '-'",
    "category": "must be a category id: lowercase latin letters, digits and '-'",
    "window": "must be a window id: lowercase latin letters, digits and '-'",
    "phone": "is not a phone number (digits, '-' and spaces, e.g. 0816-2345678)",
    "hotline": "is not a phone number (digits, '-' and spaces, e.g. 0816-2345678)",
    "complaint_phone": "is not a phone number (digits, '-' and spaces, e.g. 0816-2345678)",
    "open": 'must be a 24-hour time in quotes, e.g. "08:30"',
    "close": 'must be a 24-hour time in quotes, e.g. "17:30"',
    "prefix": "must be one capital latin letter (A-Z)",
    "public_url": "must be an http:// or https:// address, e.g. http://hall.local:8080",
}

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


def _field_name(loc: Sequence[str | int]) -> str:
    names = [part for part in loc if isinstance(part, str)]
    return names[-1][:60] if names else "value"


def shown(value: Any, limit: int = 60) -> str:
    """`repr(value)`, shortened to `limit` characters: a message names what is wrong without
    repeating a whole 5,000-character step, or a hostile payload, back at its reader."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_error(error: Any) -> str:
    """One pydantic error as a sentence a content editor understands."""
    kind = error["type"]
    loc = error["loc"]
    name = _field_name(loc)
    got = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"'{name}' has {len(got)} characters, more than the {ctx.get('max_length')} a screen shows: {shown(got)}"
    if kind == "too_long":
        return (
            f"'{name}' has {ctx.get('actual_length', len(got))} entries, more than the {ctx.get('max_length')} allowed"
        )
    if kind == "missing":
        return f"missing field {shown(str(loc[-1]))}"
    if kind == "extra_forbidden":
        return f"unknown key {shown(str(loc[-1]))}"
    if kind == "string_type" and isinstance(got, int) and name in ("open", "close"):
        return f"'{name}' must be a time in quotes, e.g. \"09:00\" (YAML reads 9:00 unquoted as the number {got})"
    if kind in _TYPE_WORDS:
        return f"'{name}' should be {_TYPE_WORDS[kind]}, got {shown(got)}"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(name, "has the wrong form")
        return f"'{name}' {hint}; got {shown(got)}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return f"'{name}': {error['msg']} (got {shown(got)})"


def _unquoted(error: Any, token: str) -> str | None:
    """The hint for text that YAML read as something else because it was not in quotes (`status: off`
    is false, `phone: 01` the number 1), or None when the error is of another kind."""
    kind = error["type"]
    got = error.get("input")
    name = _field_name(error["loc"])
    expected = str((error.get("ctx") or {}).get("expected", ""))
    if kind == "string_type":
        wanted = "text"
        if name in ("open", "close") and not isinstance(got, bool):
            return None  # describe_error's hint for times says more
    elif kind == "literal_error" and expected.startswith("'"):
        wanted = f"one of {expected}"
    else:
        return None
    if isinstance(got, bool):
        read = "true" if got else "false"
    elif isinstance(got, int | float):
        read = f"the number {got}"
    elif isinstance(got, date):
        read = "a date"
    else:
        return None
    token = token if len(token) <= 40 else token[:39] + "…"
    return f"'{name}' should be {wanted}, but YAML read the unquoted {token} as {read}: write it in quotes, \"{token}\""


def validate_model(
    model: type[M], data: Any, located: Located, holds: str = "a mapping of keys to values"
) -> tuple[M | None, list[Problem]]:
    """Validate one file's data. `holds` says what the file should hold, for the message when it is empty."""
    if data is None:
        return None, [
            Problem(located.file, located.root_line, f"the file is empty (or only comments): it should hold {holds}")
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            token = located.token_of(data, err["loc"])
            message = (_unquoted(err, token) if token is not None else None) or describe_error(err)
            problems.append(located.problem(data, err["loc"], message))
        return None, problems
