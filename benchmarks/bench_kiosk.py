"""Benchmark: the kiosk's cold start to a filled home screen, and a new catalog rev reaching the screen.

    .venv/bin/python benchmarks/bench_kiosk.py [--runs 5] [--items 2000]

Needs Xvfb and Mosquitto (`scripts/dev test` installs both). It measures:

1. cold start: the kiosk as `hall kiosk` builds it (kiosk.cli.configure_kivy, KioskLink, KioskApp)
   spawned under Xvfb with the tour `home` of tests/kiosk/tours/, from `Popen` to the line `HOME DRAWN`
   that the app prints once home shows the centre name and one tile per category and a frame
   with them has been flipped (time.monotonic in this process). Offline from a cache dir filled by
   a previous run (the broker URL points at a port where nothing listens), and live (Mosquitto +
   the content service on the sample centre, an empty cache each run). Naive peer: a bare Kivy
   window with one label of the centre name, to its first flip: the floor any Kivy kiosk pays.
2. a new catalog rev: in process, `KioskModel.apply("catalog", payload)` for a synthetic catalog of
   `--items` items whose rev changed (parse + search index rebuild), what the kiosk's worker does;
   naive peer: `json.loads` of the same payload. Then end to end on the sample centre: the service
   on a temporary copy, a running kiosk on a category screen; each run renames an item in the
   YAML and times save → catalog published (the service's watcher and build) and catalog
   published → the category screen listing the new name (the kiosk).

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from _support import REPO, Arrival, TimedSubscriber, machine_lines, mosquitto_version, spread_ms

sys.path.insert(0, str(REPO))  # for the tests' roster and the service runner

from importlib.metadata import version

from content.broker.local import Mosquitto, free_port, mosquitto_available
from content.centre.loader import load_content
from content.centre.synth import SAMPLE, numbers_at_any_hour, write_synthetic_centre
from content.service import documents
from content.shared import contract
from kiosk.model import KioskModel
from tests.conftest import CENTRE, ROSTER, RunningService
from tests.kiosk.tours import command

SIZE = (1080, 1920)
WAIT_S = 60.0
MUST_START_S, AIM_START_S = 3.0, 1.5
MUST_APPLY_S, AIM_APPLY_S = 1.0, 0.3
SAMPLE_ITEM = ("canlian", "canlian-canjiren-zheng", "残疾人证办理（初审）")
"""The item renamed end to end: category, id, name in content/samples/weicheng/items/canlian.yaml."""

_PEER = """
import os
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
from kivy.config import Config
Config.set("graphics", "width", "{w}")
Config.set("graphics", "height", "{h}")
from kivy.app import App
from kivy.core.window import Window
from kivy.uix.label import Label
from kiosk.fonts import CJK, register_cjk_font

class Peer(App):
    def load_kv(self, filename=None):  # no .kv file, and no source file (python -c) to look beside
        return False

    def build(self):
        register_cjk_font()
        Window.bind(on_flip=self.flipped)
        return Label(text={name!r}, font_name=CJK, font_size=52)

    def flipped(self, *_):
        print("HOME DRAWN peer", flush=True)
        Window.unbind(on_flip=self.flipped)
        self.stop()

Peer().run()
"""


# -- the X server and the kiosk process -----------------------------------------------------------


@contextmanager
def xvfb() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is not installed (apt-get install xvfb)")
    number = next(
        n for n in range(90, 200) if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists()
    )
    proc = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("Xvfb did not start")
        time.sleep(0.05)  # another process makes the socket: nothing to wait on
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


class Kiosk:
    """A kiosk process; `started` is time.monotonic() just before Popen; stdout lines stamped on arrival."""

    def __init__(self, display: str, cmd: list[str], home: Path, log: Path) -> None:
        env = {**os.environ, "DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(home)}
        self._log = log.open("a")
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=self._log, text=True, cwd=REPO)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put((time.monotonic(), line.rstrip("\n")))
        self.lines.put((time.monotonic(), ""))

    def wait_line(self, marker: str) -> tuple[float, str]:
        while True:
            try:
                at, line = self.lines.get(timeout=WAIT_S)
            except queue.Empty:
                raise SystemExit(f"no {marker!r} in {WAIT_S:g} s; see {self._log.name}") from None
            if line == "":
                raise SystemExit(f"the kiosk ended before {marker!r}; see {self._log.name}")
            if line.startswith(marker):
                return at, line

    def close(self) -> None:
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self._log.close()


def kiosk_command(url: str, cache: Path, tour: str, *args: str) -> list[str]:
    """The kiosk as `hall kiosk` builds it, running `tour` of tests/kiosk/tours/ with `args`."""
    size = f"{SIZE[0]}x{SIZE[1]}"
    return command(tour, "--broker", url, "--centre", CENTRE, "--cache", str(cache), "--size", size, *args)


def time_to_home(display: str, cmd: list[str], tmp: Path) -> tuple[float, str]:
    kiosk = Kiosk(display, cmd, tmp / "kivy-home", tmp / "kiosk.log")
    try:
        at, line = kiosk.wait_line("HOME DRAWN")
    finally:
        kiosk.close()
    return at - kiosk.started, line


# -- measurements ---------------------------------------------------------------------------------


def cold_starts(display: str, url: str, runs: int, tmp: Path) -> dict[str, list[float]]:
    cache = tmp / "cache-filled"
    _, line = time_to_home(display, kiosk_command(url, cache, "home"), tmp)
    print(f"  cache filled by a live run: {line}")
    nobody = f"mqtt://kiosk-1:x@127.0.0.1:{free_port()}"
    figures: dict[str, list[float]] = {"offline, from the cache": [], "live, empty cache": [], "naive peer": []}
    peer = [sys.executable, "-c", _PEER.format(w=SIZE[0], h=SIZE[1], name="绵阳市游仙区魏城镇便民服务中心")]
    for run in range(runs):
        seconds, line = time_to_home(display, kiosk_command(nobody, cache, "home", "--cached"), tmp)
        if "stale=信息可能不是最新" not in line or "tiles=0" in line:
            raise SystemExit(f"the offline start did not show the cache as stale: {line}")
        figures["offline, from the cache"].append(seconds)
        empty = tmp / f"cache-empty-{run}"
        seconds, line = time_to_home(display, kiosk_command(url, empty, "home"), tmp)
        if "stale=- " not in line:
            raise SystemExit(f"the live start is stale: {line}")
        figures["live, empty cache"].append(seconds)
        figures["naive peer"].append(time_to_home(display, peer, tmp)[0])
    return figures


def synthetic_payloads(items: int, runs: int, tmp: Path) -> tuple[bytes, list[bytes]]:
    """The centre document and `runs` + 1 catalog payloads, each with one item renamed (a new rev)."""
    centre_dir = tmp / "synthetic"
    write_synthetic_centre(centre_dir, items)
    content = load_content(centre_dir).content
    if content is None:
        raise SystemExit("the synthetic centre does not load")
    now = datetime.now(UTC)
    centre = contract.encode(contract.state_document(documents.centre(content), now))
    body = documents.catalog(content)
    payloads = []
    for run in range(runs + 1):
        changed = json.loads(json.dumps(body))
        changed["items"][0]["name"] = f"{changed['items'][0]['name']}（修订{run}）"
        payloads.append(contract.encode(contract.state_document(changed, now)))
    return centre, payloads


def apply_catalog(centre: bytes, payloads: list[bytes]) -> dict[str, list[float]]:
    model = KioskModel().apply("centre", centre).apply("catalog", payloads[0])  # pypinyin warmed up
    figures: dict[str, list[float]] = {"apply (parse + index)": [], "naive peer: json.loads": []}
    for payload in payloads[1:]:
        start = time.perf_counter()
        updated = model.apply("catalog", payload)
        figures["apply (parse + index)"].append(time.perf_counter() - start)
        assert updated.index is not None and updated.index is not model.index
        name = json.loads(payload)["items"][0]["name"]
        assert updated.search(name[:6]) and next(iter(updated.items.values())).name == name
        model = updated
        start = time.perf_counter()
        json.loads(payload)
        figures["naive peer: json.loads"].append(time.perf_counter() - start)
    return figures


def catalog_end_to_end(display: str, broker: Mosquitto, runs: int, tmp: Path) -> dict[str, list[float]]:
    content = tmp / "sample"
    shutil.copytree(SAMPLE, content)
    numbers_at_any_hour(content)  # a benchmark runs at any hour
    category, item, name = SAMPLE_ITEM
    yaml_file = content / "items" / f"{category}.yaml"
    original = yaml_file.read_text(encoding="utf-8")
    if f"name: {name}\n" not in original:
        raise SystemExit(f"{yaml_file} no longer names {item} {name!r}")
    service = RunningService(content, broker.url("service"), tmp / "e2e.sqlite3")
    subscriber = TimedSubscriber(broker.url("led-wall"), [f"{contract.ROOT}/{CENTRE}/catalog"]).wait_subscribed()
    names = [f"{name}（修订{run}）" for run in range(runs)]
    tour = kiosk_command(broker.url("kiosk-1"), tmp / "cache-e2e", "item-names", "--category", category, *names)
    kiosk = Kiosk(display, tour, tmp / "kh", tmp / "k.log")
    figures: dict[str, list[float]] = {"save → catalog published": [], "published → kiosk shows it": [], "total": []}
    try:
        kiosk.wait_line("CATEGORY OPEN")
        for run, new in enumerate(names):
            mark = subscriber.mark()
            saved = time.perf_counter()
            saved_mono = time.monotonic()
            yaml_file.write_text(original.replace(f"name: {name}\n", f"name: {new}\n"), encoding="utf-8")

            def renamed(arrival: Arrival, wanted: str = new) -> bool:
                return wanted in arrival.payload.decode()

            arrival = subscriber.wait_for(renamed, WAIT_S, mark)
            published_mono = saved_mono + (arrival.at - saved)  # perf_counter and monotonic tick alike
            shown, line = kiosk.wait_line("ITEM SHOWN")
            if not line.endswith(f"{run} {new}"):
                raise SystemExit(f"unexpected {line!r}")
            figures["save → catalog published"].append(arrival.at - saved)
            figures["published → kiosk shows it"].append(shown - published_mono)
            figures["total"].append(shown - saved_mono)
    finally:
        kiosk.close()
        subscriber.close()
        service.stop()
    return figures


# -- the report -----------------------------------------------------------------------------------


def verdict(seconds: float, must: float, aim: float) -> str:
    if seconds > must:
        return f"OVER (must ≤ {must:g} s)"
    return "PASS, aim met" if seconds <= aim else f"PASS, aim (≤ {aim:g} s) missed"


def row(what: str, figure: str, verdict_text: str = "") -> None:
    print(f"  {what:<36} {figure:<36} {verdict_text}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (default 5)")
    parser.add_argument("--items", type=int, default=2000, help="synthetic catalog size (default 2000)")
    args = parser.parse_args()
    if not mosquitto_available():
        raise SystemExit("Mosquitto is not installed: scripts/dev test installs it")
    xvfb_version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "xvfb"], capture_output=True, text=True)
    print(f"bench_kiosk: cold start to a filled home screen; a new catalog rev to the screen ({args.runs} runs)")
    extra = [
        f"libs      Kivy {version('kivy')}, {mosquitto_version()}, Xvfb {xvfb_version.stdout or 'unknown'}"
        f" ({SIZE[0]}x{SIZE[1]}x24, software GL)",
    ]
    print("\n".join(machine_lines(extra)))

    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as name, xvfb() as display:
        tmp = Path(name)
        broker = Mosquitto(tmp / "broker", ROSTER).start()
        try:
            content = tmp / "content"
            shutil.copytree(SAMPLE, content)
            numbers_at_any_hour(content)  # a benchmark runs at any hour
            service = RunningService(content, broker.url("service"), tmp / "state.sqlite3")
            print()
            print("1. cold start: Popen → the app prints HOME DRAWN (centre name + every category tile, frame flipped)")
            try:
                starts = cold_starts(display, broker.url("kiosk-1"), args.runs, tmp)
            finally:
                service.stop()
            print(f"  {'':<36} {'min / median / max':<36} verdict on the median")
            for what, figures in starts.items():
                judged = "" if what == "naive peer" else verdict(statistics.median(figures), MUST_START_S, AIM_START_S)
                row(what, spread_ms(figures), judged)

            print()
            print(f"2. a new catalog rev: {args.items:,}-item synthetic catalog, in process")
            centre, payloads = synthetic_payloads(args.items, args.runs, tmp)
            row("catalog payload", f"{len(payloads[0]) / 1024:7.0f} KiB")
            applied = apply_catalog(centre, payloads)
            for what, figures in applied.items():
                judged = (
                    "" if what.startswith("naive") else verdict(statistics.median(figures), MUST_APPLY_S, AIM_APPLY_S)
                )
                row(what, spread_ms(figures), judged)
            print()
            print("   end to end on the sample centre: rename an item in the YAML → the category screen lists it")
            for what, figures in catalog_end_to_end(display, broker, args.runs, tmp).items():
                row(what, spread_ms(figures))
        finally:
            broker.stop()
    print()
    print("  must/aim: cold start ≤ 3 s (aim ≤ 1.5 s); apply ≤ 1 s (aim ≤ 0.3 s), the catalog-publish line's budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
