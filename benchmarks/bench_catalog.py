"""Benchmark: the content service publishes a 2,000-item catalog (budgets in benchmarks/README.md).

    .venv/bin/python benchmarks/bench_catalog.py [--items 2000] [--runs 5] [--profile]

For a synthetic centre (content.centre.synth) written to a temporary directory it measures:

- load + validate (`load_content`), building the documents as the service does, the payload sizes;
- end to end, in process: a fresh ContentService and Store against a fresh Mosquitto (the tests'
  roster), from calling `run()` in a thread to a display-account subscriber holding the catalog
  document with the expected rev; and, in the same run, a naive peer: a plain paho client
  publishing the same catalog bytes (retained, QoS1) to the same subscriber;
- cold process: `hall serve` spawned as a child, until the subscriber holds the catalog, then
  SIGTERM; its peak RSS against a bare interpreter importing the same modules.

`--profile` adds where load + build time goes, a libyaml variant of the project's YAML loader
(measured only, nothing in `content` changes) and a cProfile listing.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import logging
import pstats
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
import pydantic
import yaml
from _support import (
    REPO,
    Arrival,
    MeasuredChild,
    TimedSubscriber,
    machine_lines,
    mosquitto_version,
    peak_rss_of,
    spread_mib,
    spread_ms,
)
from paho.mqtt.enums import CallbackAPIVersion

sys.path.insert(0, str(REPO))  # for the tests' roster

from content.broker.local import Mosquitto, mosquitto_available
from content.centre import schema
from content.centre.loader import Content, load_content, validate_model
from content.centre.synth import write_synthetic_centre
from content.service import documents
from content.service.live import Live
from content.service.loop import ContentService
from content.service.store import Store
from content.shared import contract, yamlfile
from content.shared.broker_url import parse_broker_url
from tests.conftest import CENTRE, ROSTER

CATALOG = f"{contract.ROOT}/{CENTRE}/catalog"
WAIT_S = 60.0
MUST_S, AIM_S = 1.0, 0.3
MUST_RSS_KIB, AIM_RSS_KIB = 150 * 1024, 80 * 1024
# What `hall serve` imports before it reads any content (watchfiles: the content watcher).
SERVE_IMPORTS = "import hall.cli, content.service.loop, content.service.store, watchfiles"
_LOAD_ONLY = f"""
import sys
from datetime import datetime
from pathlib import Path
{SERVE_IMPORTS}
from content.shared import contract
from content.service import documents
from content.service.live import Live
from content.centre.loader import load_content
content = load_content(Path(sys.argv[1])).content
assert content is not None
for body in documents.all_documents(content, Live(), datetime.now()).values():
    contract.encode(contract.state_document(body, datetime.now()))
"""


# -- offline: load, validate, build ---------------------------------------------------------------


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def _load(directory: Path) -> Content:
    result = load_content(directory)
    if result.content is None:
        raise SystemExit("synthetic content is not valid:\n" + "\n".join(map(str, result.problems[:20])))
    return result.content


def build_payloads(content: Content) -> dict[str, bytes]:
    """Every state document, built the way ContentService._publish_state builds them."""
    now = datetime.now(ZoneInfo(content.centre.timezone))
    payloads = {}
    for topic, body in documents.all_documents(content, Live(), now).items():
        contract.rev_of(body)  # the service hashes each body to skip unchanged documents
        payloads[topic] = contract.encode(contract.state_document(body, now))
    return payloads


def _is_catalog(rev: str) -> Callable[[Arrival], bool]:
    def check(arrival: Arrival) -> bool:
        return arrival.topic == CATALOG and bool(arrival.payload) and json.loads(arrival.payload).get("rev") == rev

    return check


# -- end to end, in process -----------------------------------------------------------------------


def _naive_peer(url: str, payload: bytes, sub: TimedSubscriber) -> tuple[float, float]:
    """A plain paho client publishes `payload` retained, QoS1.

    Returns (publish → receipt, connect + publish → receipt) in seconds.
    """
    broker = parse_broker_url(url)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"{broker.username}.peer-{uuid.uuid4().hex[:6]}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(broker.username, broker.password)
    connected = threading.Event()
    client.on_connect = lambda *_: connected.set()
    mark = sub.mark()
    connect_at = time.perf_counter()
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        if not connected.wait(WAIT_S):
            raise RuntimeError("naive peer: no CONNACK")
        publish_at = time.perf_counter()
        info = client.publish(CATALOG, payload, qos=1, retain=True)
        got = sub.wait_for(lambda a: a.topic == CATALOG, WAIT_S, start=mark)
        info.wait_for_publish(WAIT_S)
    finally:
        client.disconnect()
        client.loop_stop()
    return got.at - publish_at, got.at - connect_at


def service_run(content_dir: Path, rev: str, catalog_payload: bytes, work: Path) -> dict[str, float]:
    """One fresh broker, store and service; then the naive peer on the same broker."""
    broker = Mosquitto(work / "broker", ROSTER).start()
    sub = TimedSubscriber(broker.url("led-wall"), [CATALOG]).wait_subscribed()
    try:
        store = Store(work / "state.sqlite3")
        service = ContentService(content_dir, parse_broker_url(broker.url("service")), store)
        stamps: dict[str, float] = {}
        exit_codes: list[int] = []

        def stamp_ready() -> None:
            if service.ready.wait(WAIT_S):
                stamps["ready"] = time.perf_counter()

        stamper = threading.Thread(target=stamp_ready, daemon=True)
        thread = threading.Thread(target=lambda: exit_codes.append(service.run()), daemon=True)
        stamper.start()
        start = time.perf_counter()
        thread.start()
        try:
            got = sub.wait_for(_is_catalog(rev), WAIT_S)
            stamper.join(WAIT_S)
        finally:
            service.request_stop()
            thread.join(WAIT_S)
            store.close()
        if exit_codes != [0]:
            raise RuntimeError(f"service exited with {exit_codes}")

        # The catalog must stay retained for a device that connects later (not timed).
        late = TimedSubscriber(broker.url("kiosk-1"), [CATALOG])
        try:
            retained = late.wait_for(_is_catalog(rev), WAIT_S)
        finally:
            late.close()
        if not retained.retain:
            raise RuntimeError("the catalog was delivered but not retained")

        peer_publish, peer_connect = _naive_peer(broker.url("service"), catalog_payload, sub)
    finally:
        sub.close()
        broker.stop()
    return {
        "catalog": got.at - start,
        "ready": stamps.get("ready", float("nan")) - start,
        "peer_publish": peer_publish,
        "peer_connect": peer_connect,
    }


# -- cold process: `hall serve` as a child --------------------------------------------------------


def _hall() -> list[str]:
    script = Path(sys.executable).with_name("hall")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hall"]


def _vm_hwm_kib(pid: int) -> int:
    """The peak RSS so far of a running process (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def serve_run(content_dir: Path, rev: str, work: Path) -> dict[str, float]:
    """Spawn `hall serve`, wait until the subscriber holds the catalog, SIGTERM it, read its peak RSS."""
    broker = Mosquitto(work / "broker", ROSTER).start()
    sub = TimedSubscriber(broker.url("led-wall"), [CATALOG]).wait_subscribed()
    log_path = work / "serve.log"
    argv = [
        *_hall(),
        "serve",
        "--content",
        str(content_dir),
        "--broker",
        broker.url("service"),
        "--state",
        str(work / "state.sqlite3"),
    ]
    try:
        with log_path.open("wb") as log:
            child = MeasuredChild(argv, log)
            try:
                got = sub.wait_for(_is_catalog(rev), WAIT_S)
                hwm = _vm_hwm_kib(child.pid)
            except TimeoutError:
                raise RuntimeError("hall serve did not publish the catalog:\n" + log_path.read_text()[-2000:]) from None
            finally:
                child.terminate()
                code, peak = child.wait(15)
        if code != 0:
            raise RuntimeError(f"hall serve exited with {code}:\n" + log_path.read_text()[-2000:])
    finally:
        sub.close()
        broker.stop()
    return {"catalog": got.at - child.started, "hwm_kib": hwm, "peak_kib": peak}


# -- the report -----------------------------------------------------------------------------------


def _verdict(value: float, must: float, aim: float) -> str:
    if value != value:  # NaN
        return "n/a"
    if value > must:
        return "over"
    return "PASS, aim met" if value <= aim else "PASS, aim missed"


def _row(what: str, figure: str, budget: str = "", verdict: str = "") -> None:
    print(f"  {what:<46} {figure:<34} {budget:<18} {verdict}")


def report(
    offline: dict[str, Any],
    runs: list[dict[str, float]],
    serves: list[dict[str, float]],
    baseline: list[int],
    load_only: int,
) -> None:
    seconds_budget = f"≤ {MUST_S:g} s (aim {AIM_S:g})"
    rss_budget = f"≤ {MUST_RSS_KIB // 1024} MB (aim {AIM_RSS_KIB // 1024})"
    print()
    print(f"  {'figure':<46} {'min / median / max':<34} {'must (aim)':<18} verdict on the median")
    _row("load + validate (load_content)", spread_ms(offline["load"]))
    _row("build documents (all_documents, rev, encode)", spread_ms(offline["build"]))
    cpu = [a + b for a, b in zip(offline["load"], offline["build"], strict=True)]
    _row("  load + validate + build", spread_ms(cpu), seconds_budget, _verdict(statistics.median(cpu), MUST_S, AIM_S))
    sizes = offline["sizes"]
    _row("catalog payload", f"{sizes['catalog']:,} bytes ({sizes['catalog'] / 2**20:.2f} MB)")
    _row("all six state documents", f"{sum(sizes.values()):,} bytes")
    print()
    e2e = [r["catalog"] for r in runs]
    _row(
        "service.run() → subscriber has the catalog",
        spread_ms(e2e),
        seconds_budget,
        _verdict(statistics.median(e2e), MUST_S, AIM_S),
    )
    _row("service.run() → service ready", spread_ms([r["ready"] for r in runs]))
    _row("naive peer: publish → receipt", spread_ms([r["peer_publish"] for r in runs]))
    _row("naive peer: connect + publish → receipt", spread_ms([r["peer_connect"] for r in runs]))
    cold = [s["catalog"] for s in serves]
    _row(
        "`hall serve` spawn → subscriber has catalog",
        spread_ms(cold),
        seconds_budget,
        _verdict(statistics.median(cold), MUST_S, AIM_S),
    )
    print()
    peaks = [s["peak_kib"] for s in serves]
    _row(
        "peak RSS, `hall serve` (its own wait4 rusage)",
        spread_mib(peaks),
        rss_budget,
        _verdict(statistics.median(peaks), MUST_RSS_KIB, AIM_RSS_KIB),
    )
    hwms = [s["hwm_kib"] for s in serves]
    _row("  VmHWM when the catalog arrived", spread_mib(hwms))
    _row("baseline: python importing the same modules", spread_mib(baseline))
    _row("load + validate + build, no MQTT (one child)", spread_mib([load_only]))
    print()
    print("  Verdicts use the median. In process: this interpreter's imports are warm, but its larger heap")
    print("  makes garbage collections dearer; `hall serve` includes interpreter start and imports.")
    print("  RSS of each child is its own, reported by the kernel at exit. MB = 2^20 bytes.")


# -- profile (--profile) --------------------------------------------------------------------------


class _LibyamlLoader(yaml.CSafeLoader):
    """The project's line-recording constructors on libyaml's parser instead of the pure-Python one."""

    located: yamlfile.Located
    problems: list[yamlfile.Problem]


# The constructors are private to content.shared.yamlfile; reused here only to measure this variant.
_LibyamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, yamlfile._construct_mapping)
_LibyamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, yamlfile._construct_sequence)


@contextlib.contextmanager
def _libyaml_loader() -> Iterator[None]:
    """Swap the loader class `parse_yaml` uses, in this process only, while measuring."""
    original = yamlfile._Loader
    yamlfile._Loader = _LibyamlLoader  # type: ignore[assignment, misc]
    try:
        yield
    finally:
        yamlfile._Loader = original  # type: ignore[misc]


def _paths(data: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    keys = list(data) if isinstance(data, dict) else range(len(data)) if isinstance(data, list) else []
    for key in keys:
        yield (*prefix, key)
        yield from _paths(data[key], (*prefix, key))


def _same_lines(text: str) -> bool:
    """Does the libyaml variant give the same data, the same line of every value, the same problems?"""
    data, located, problems = yamlfile.parse_yaml(text, "f")
    with _libyaml_loader():
        data2, located2, problems2 = yamlfile.parse_yaml(text, "f")
    if data != data2 or problems != problems2:
        return False
    return all(located.line_of(data, p) == located2.line_of(data2, p) for p in _paths(data))


_BROKEN = {
    "duplicate key": "items:\n  - id: a\n    id: b\n",
    "tab indentation": "items:\n\t- id: a\n",
    "unclosed quote": 'items:\n  - id: "a\n    name: b\n',
    "bad indentation": "items:\n  - id: a\n   name: b\n",
}


def _best(function: Callable[[], Any], runs: int) -> float:
    return min(_timed(function)[0] for _ in range(runs))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _loading(directory: Path, libyaml: bool, gc_paused: bool) -> Callable[[], Any]:
    def load() -> Any:
        with (
            _libyaml_loader() if libyaml else contextlib.nullcontext(),
            _gc_paused() if gc_paused else contextlib.nullcontext(),
        ):
            return load_content(directory)

    return load


def profile(content_dir: Path, content: Content, runs: int) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((content_dir / "items").glob("*.yaml"))]
    parsed = [yaml.load(text, Loader=yaml.CSafeLoader) for text in texts]
    located = yamlfile.Located("x")
    now = datetime.now(ZoneInfo(content.centre.timezone))
    body = documents.catalog(content)
    yaml_bytes = sum(len(t.encode()) for t in texts)

    def show(what: str, function: Callable[[], Any]) -> None:
        print(f"  {what:<60} {_best(function, runs) * 1000:8.1f} ms")

    print()
    print(f"where load_content's time goes (best of {runs}; items/*.yaml: {len(texts)} files, {yaml_bytes:,} bytes)")
    show("load_content as it is", _loading(content_dir, libyaml=False, gc_paused=False))
    show(
        f"  YAML: parse_yaml ({yamlfile._BaseLoader.__name__} + line records)",
        lambda: [yamlfile.parse_yaml(t, "x") for t in texts],
    )
    show("  pydantic: ItemsFile.model_validate", lambda: [validate_model(schema.ItemsFile, d, located) for d in parsed])
    show("load_content, garbage collector paused", _loading(content_dir, libyaml=False, gc_paused=True))
    show("load_content, project constructors on CSafeLoader", _loading(content_dir, libyaml=True, gc_paused=False))
    show("load_content, CSafeLoader + garbage collector paused", _loading(content_dir, libyaml=True, gc_paused=True))
    print("  peers, no line numbers:")
    show("  yaml.load(SafeLoader)", lambda: [yaml.load(t, Loader=yaml.SafeLoader) for t in texts])
    show("  yaml.load(CSafeLoader)", lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts])
    with _gc_paused():
        show(
            "  yaml.load(CSafeLoader), garbage collector paused",
            lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts],
        )
    same = all(_same_lines(text) for text in texts)
    print(
        f"  CSafeLoader variant: same data and line of every value in all {len(texts)} files: {'yes' if same else 'NO'}"
    )
    for what, text in _BROKEN.items():
        _, _, ours = yamlfile.parse_yaml(text, "f")
        with _libyaml_loader():
            _, _, theirs = yamlfile.parse_yaml(text, "f")
        verdict = "same" if ours == theirs else f"differs: {[str(p) for p in ours]} vs {[str(p) for p in theirs]}"
        print(f"    {what:<16} {verdict}")

    print()
    print("where building the documents goes (the service runs rev_of, then state_document, which hashes again)")
    show("catalog body: model_dump(mode='json') of every item", lambda: documents.catalog(content))
    show("catalog: contract.encode (json.dumps, sort_keys)", lambda: contract.encode(body))
    show("catalog: contract.rev_of (encode + sha256)", lambda: contract.rev_of(body))
    show(
        "catalog: encode(state_document(...)) (encodes twice)",
        lambda: contract.encode(contract.state_document(body, now)),
    )

    print()
    print("cProfile of one load_content + build (top 15 by own time; cProfile inflates call-heavy Python):")
    profiler = cProfile.Profile()
    profiler.enable()
    build_payloads(_load(content_dir))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("\n".join(f"  {line}" for line in lines[start - 3 : start + 16] if line.strip()))


# -- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000, help="catalog size (default 2000)")
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each measurement (default 5)")
    parser.add_argument("--profile", action="store_true", help="also show where load and build time goes")
    args = parser.parse_args()
    if not mosquitto_available():
        raise SystemExit("Mosquitto is not installed: scripts/dev test installs it")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    print(f"bench_catalog: the service publishes a {args.items:,}-item catalog, {args.runs} runs each")
    extra = [
        f"mosquitto {mosquitto_version().removeprefix('mosquitto version ')}",
        f"libs      pydantic {pydantic.VERSION}, PyYAML {yaml.__version__} "
        f"(libyaml C extension available: {yaml.__with_libyaml__}; "
        f"content.shared.yamlfile parses with {yamlfile._BaseLoader.__name__})",
    ]
    print("\n".join(machine_lines(extra)))

    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        root = Path(tmp)
        content_dir = root / "centre"
        write_synthetic_centre(content_dir, args.items)

        loads, builds = [], []
        for _ in range(args.runs):
            seconds, content = _timed(lambda: _load(content_dir))
            loads.append(seconds)
            seconds, payloads = _timed(lambda: build_payloads(content))  # noqa: B023
            builds.append(seconds)
        offline = {"load": loads, "build": builds, "sizes": {k: len(v) for k, v in payloads.items()}}
        rev = contract.rev_of(documents.catalog(content))

        runs = [service_run(content_dir, rev, payloads["catalog"], root / f"run-{i}") for i in range(args.runs)]
        serves = [serve_run(content_dir, rev, root / f"serve-{i}") for i in range(args.runs)]
        baseline = [peak_rss_of([sys.executable, "-c", SERVE_IMPORTS]) for _ in range(args.runs)]
        load_only = peak_rss_of([sys.executable, "-c", _LOAD_ONLY, str(content_dir)])

        report(offline, runs, serves, baseline, load_only)
        if args.profile:
            profile(content_dir, content, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
