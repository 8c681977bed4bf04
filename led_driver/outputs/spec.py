"""Output specs (`ddp://10.0.0.5`, `gif:preview.gif?fps=10`, …) to drivers: the forms are in the package docstring."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from urllib.parse import unquote, urlsplit

from led_driver.outputs import ddp, e131, rgbmatrix
from led_driver.outputs.base import Output, OutputError
from led_driver.outputs.gif import GifOutput
from led_driver.outputs.null import NullOutput
from led_driver.outputs.png import PngOutput
from led_driver.outputs.snapshot import SnapshotOutput
from led_driver.outputs.window import WindowOutput

PNG = "png:DIR"
GIF = "gif:FILE[?fps=10&seconds=10]"
WINDOW = "window[?x=0&y=0&fullscreen=0]"
DDP = "ddp://HOST[:PORT]"
E131 = "e131://HOST[:PORT]?universe=N[&sync=U&priority=100&name=TEXT]"
RGBMATRIX = "rgbmatrix[?rows=32&cols=32&chain=1&parallel=1&brightness=100&mapping=regular&…]"
NULL = "null"
SNAPSHOT = "snapshot:FILE.png[?every=1&scale=1]"
FORMS = (PNG, GIF, SNAPSHOT, WINDOW, DDP, E131, RGBMATRIX, NULL)

_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def open_output(spec: str) -> Output:
    """The driver a spec names, not yet opened; OutputError says what is wrong with a spec and how to write it."""
    spec = spec.strip()
    if spec.startswith("png:"):
        return _png(spec.removeprefix("png:"))
    if spec.startswith("gif:"):
        return _gif(spec.removeprefix("gif:"))
    if spec.startswith("snapshot:"):
        return _snapshot(spec.removeprefix("snapshot:"))
    if spec.startswith("ddp://"):
        return _ddp(spec)
    if spec.startswith("e131://"):
        return _e131(spec)
    name, _, query = spec.partition("?")
    if name == "window":
        return _window(query)
    if name == "rgbmatrix":
        return _rgbmatrix(query)
    if name == "null":
        _options(NULL, query, ())
        return NullOutput()
    forms = "".join(f"\n  {form}" for form in FORMS)
    raise OutputError(f"unknown output {spec!r}: use one of{forms}")


def _png(path: str) -> Output:
    if not path:
        raise OutputError(f"{PNG}: the directory is missing, e.g. png:var/frames")
    return PngOutput(Path(path))


def _gif(rest: str) -> Output:
    path, _, query = rest.partition("?")
    if not path:
        raise OutputError(f"{GIF}: the file is missing, e.g. gif:preview.gif")
    options = _options(GIF, query, ("fps", "seconds"))
    fps = _number(GIF, "fps", options["fps"]) if "fps" in options else 10.0
    seconds = _number(GIF, "seconds", options["seconds"]) if "seconds" in options else 10.0
    return GifOutput(Path(path), fps=fps, seconds=seconds)


def _snapshot(rest: str) -> Output:
    path, _, query = rest.partition("?")
    if not path.endswith(".png"):
        raise OutputError(f"{SNAPSHOT}: name a .png file, e.g. snapshot:var/wall.png")
    options = _options(SNAPSHOT, query, ("every", "scale"))
    every = _number(SNAPSHOT, "every", options["every"]) if "every" in options else 1.0
    scale = _integer(SNAPSHOT, "scale", options["scale"], 1, 16) if "scale" in options else 1
    return SnapshotOutput(Path(path), every=every, scale=scale)


def _window(query: str) -> Output:
    options = _options(WINDOW, query, ("x", "y", "fullscreen"))
    x = _integer(WINDOW, "x", options["x"], -65535, 65535) if "x" in options else 0
    y = _integer(WINDOW, "y", options["y"], -65535, 65535) if "y" in options else 0
    fullscreen = _boolean(WINDOW, "fullscreen", options["fullscreen"]) if "fullscreen" in options else False
    return WindowOutput(x=x, y=y, fullscreen=fullscreen)


def _ddp(spec: str) -> Output:
    host, port, query = _address(DDP, spec, ddp.PORT)
    _options(DDP, query, ())
    return ddp.DdpOutput(host, port)


def _e131(spec: str) -> Output:
    host, port, query = _address(E131, spec, e131.PORT)
    options = _options(E131, query, ("universe", "sync", "priority", "name"))
    if "universe" not in options:
        raise OutputError(f"{E131}: universe is missing, e.g. e131://{host}?universe=1")
    universe = _integer(E131, "universe", options["universe"], 1, e131.MAX_UNIVERSE)
    sync = _integer(E131, "sync", options["sync"], 1, e131.MAX_UNIVERSE) if "sync" in options else None
    priority = _integer(E131, "priority", options["priority"], 0, 200) if "priority" in options else 100
    source = options.get("name", e131.DEFAULT_SOURCE)
    return e131.E131Output(host, universe, port=port, sync=sync, priority=priority, source=source)


def _rgbmatrix(query: str) -> Output:
    raw = _options(RGBMATRIX, query, tuple(rgbmatrix.OPTIONS))
    options: dict[str, int | str | bool] = {}
    for key, text in raw.items():
        kind = rgbmatrix.OPTIONS[key][1]
        if kind is int:
            low, high = rgbmatrix.RANGES.get(key, (0, 255))
            options[key] = _integer(RGBMATRIX, key, text, low, high)
        elif kind is bool:
            options[key] = _boolean(RGBMATRIX, key, text)
        else:
            options[key] = text
    return rgbmatrix.RgbMatrixOutput(options)


def _address(form: str, spec: str, default_port: int) -> tuple[str, int, str]:
    """Host, port and query of `scheme://HOST[:PORT][?query]`; IPv6 hosts in brackets."""
    parts = urlsplit(spec)
    if parts.path or parts.fragment:
        raise OutputError(f"{form}: unexpected {parts.path or '#' + parts.fragment!r} after the host in {spec!r}")
    netloc = parts.netloc
    if "@" in netloc:
        raise OutputError(f"{form}: no user name goes before the host in {spec!r}")
    port_text: str | None
    if netloc.startswith("["):
        host, bracket, rest = netloc[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise OutputError(f"{form}: bad IPv6 address in {spec!r}, write it as [::1] or [::1]:PORT")
        port_text = rest[1:] if rest else None
    elif netloc.count(":") > 1:
        raise OutputError(f"{form}: an IPv6 address goes in brackets: [{netloc}]")
    else:
        host, colon, after = netloc.partition(":")
        port_text = after if colon else None
    if not host:
        raise OutputError(f"{form}: the host is missing in {spec!r}")
    port = default_port if port_text is None else _integer(form, "port", port_text, 1, 65535)
    return host, port, parts.query


def _options(form: str, query: str, allowed: Collection[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    if not query:
        return options
    for item in query.split("&"):
        key, equals, value = item.partition("=")
        if not allowed:
            raise OutputError(f"{form}: takes no options, got {item!r}")
        if not equals or not key:
            raise OutputError(f"{form}: option {item!r} is not NAME=VALUE")
        if key not in allowed:
            raise OutputError(f"{form}: unknown option {key!r}: use {', '.join(allowed)}")
        if key in options:
            raise OutputError(f"{form}: option {key!r} is given twice")
        options[key] = unquote(value)
    return options


def _integer(form: str, key: str, text: str, low: int, high: int) -> int:
    if not _INTEGER.fullmatch(text):
        raise OutputError(f"{form}: {key} {text!r} is not a number")
    value = int(text)
    if not low <= value <= high:
        raise OutputError(f"{form}: {key} {value} must be between {low} and {high}")
    return value


def _number(form: str, key: str, text: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise OutputError(f"{form}: {key} {text!r} is not a number")
    return float(text)


def _boolean(form: str, key: str, text: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise OutputError(f"{form}: {key} {text!r} is not 1 or 0")
