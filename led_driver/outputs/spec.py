"""Output specs (`ddp://10.0.0.5`, `gif:preview.gif?fps=10`, …) to drivers: the forms are in the package docstring."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from urllib.parse import unquote, urlsplit

from content.shared.catalog import domain
from led_driver.outputs import ddp, e131, rgbmatrix
from led_driver.outputs.base import Output, OutputError, out_of_range, unknown_option
from led_driver.outputs.gif import GifOutput
from led_driver.outputs.null import NullOutput
from led_driver.outputs.png import PngOutput
from led_driver.outputs.snapshot import SnapshotOutput
from led_driver.outputs.window import WindowOutput

_ = domain("led").gettext
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
    name, _mark, query = spec.partition("?")
    if name == "window":
        return _window(query)
    if name == "rgbmatrix":
        return _rgbmatrix(query)
    if name == "null":
        _options(NULL, query, ())
        return NullOutput()
    forms = "".join(f"\n  {form}" for form in FORMS)
    raise OutputError(_("Unknown output {spec}: use one of these:{forms}").format(spec=repr(spec), forms=forms))


def _png(path: str) -> Output:
    if not path:
        raise OutputError(
            _("{form}: the directory is missing, e.g. {example}").format(form=PNG, example="png:var/frames")
        )
    return PngOutput(Path(path))


def _gif(rest: str) -> Output:
    path, _mark, query = rest.partition("?")
    if not path:
        raise OutputError(_("{form}: the file is missing, e.g. {example}").format(form=GIF, example="gif:preview.gif"))
    options = _options(GIF, query, ("fps", "seconds"))
    fps = _number(GIF, "fps", options["fps"]) if "fps" in options else 10.0
    seconds = _number(GIF, "seconds", options["seconds"]) if "seconds" in options else 10.0
    return GifOutput(Path(path), fps=fps, seconds=seconds)


def _snapshot(rest: str) -> Output:
    path, _mark, query = rest.partition("?")
    if not path.endswith(".png"):
        raise OutputError(
            _("{form}: name a .png file, e.g. {example}").format(form=SNAPSHOT, example="snapshot:var/wall.png")
        )
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
        raise OutputError(
            _("{form}: the universe is missing, e.g. {example}").format(form=E131, example=f"e131://{host}?universe=1")
        )
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
    try:
        parts = urlsplit(spec)
    except ValueError:  # an opening bracket without its closing one
        raise OutputError(_ipv6(form, spec)) from None
    if parts.path or parts.fragment:
        unexpected = repr(parts.path or "#" + parts.fragment)
        raise OutputError(
            _("{form}: unexpected {text} after the host in {spec}").format(form=form, text=unexpected, spec=repr(spec))
        )
    netloc = parts.netloc
    if "@" in netloc:
        raise OutputError(_("{form}: no user name goes before the host in {spec}").format(form=form, spec=repr(spec)))
    port_text: str | None
    if netloc.startswith("["):
        host, bracket, rest = netloc[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise OutputError(_ipv6(form, spec))
        port_text = rest[1:] if rest else None
    elif netloc.count(":") > 1:
        raise OutputError(
            _("{form}: an IPv6 address goes in brackets: {address}").format(form=form, address=f"[{netloc}]")
        )
    else:
        host, colon, after = netloc.partition(":")
        port_text = after if colon else None
    if not host:
        raise OutputError(_("{form}: the host is missing in {spec}").format(form=form, spec=repr(spec)))
    port = default_port if port_text is None else _integer(form, "port", port_text, 1, 65535)
    return host, port, parts.query


def _ipv6(form: str, spec: str) -> str:
    return _("{form}: the IPv6 address in {spec} is not right: write it as {example}").format(
        form=form, spec=repr(spec), example="[::1] / [::1]:PORT"
    )


def _options(form: str, query: str, allowed: Collection[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    if not query:
        return options
    for item in query.split("&"):
        key, equals, value = item.partition("=")
        if not allowed:
            raise OutputError(_("{form}: takes no options, got {option}").format(form=form, option=repr(item)))
        if not equals or not key:
            raise OutputError(_("{form}: option {option} is not NAME=VALUE").format(form=form, option=repr(item)))
        if key not in allowed:
            raise OutputError(unknown_option(form, repr(key), allowed))
        if key in options:
            raise OutputError(_("{form}: option {option} is given twice").format(form=form, option=repr(key)))
        options[key] = unquote(value)
    return options


def _integer(form: str, key: str, text: str, low: int, high: int) -> int:
    if not _INTEGER.fullmatch(text):
        raise OutputError(_("{form}: {option} {value} is not a number").format(form=form, option=key, value=repr(text)))
    value = int(text)
    if not low <= value <= high:
        raise OutputError(out_of_range(form, key, value, low, high))
    return value


def _number(form: str, key: str, text: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise OutputError(_("{form}: {option} {value} is not a number").format(form=form, option=key, value=repr(text)))
    return float(text)


def _boolean(form: str, key: str, text: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise OutputError(_("{form}: {option} {value} is not 1 or 0").format(form=form, option=key, value=repr(text)))
