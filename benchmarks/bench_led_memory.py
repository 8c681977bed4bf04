"""LED controller memory, whatever it is sent: a real `hall led` on the 1080p wall profile, fed hostile
documents by the service account one after another, and its resident memory after each.

  .venv/bin/python benchmarks/bench_led_memory.py [--seconds 6]

A fresh Mosquitto with the tests' roster; the sample centre's documents published retained; then
`hall led --display wall-1920x1080 --output null` as a child process (frames are composed at 30 fps and
dropped). Each scenario publishes its documents retained as the service would, each under the broker's
16 MiB packet limit, lets the wall run for `--seconds` (the ticker scrolls into new tiles), and reads
the child's VmRSS and VmHWM (the kernel's high-water mark) from /proc. The controller must still be
ready at the end; its own peak RSS over the run comes from wait4 when it is stopped. The budget
(DESIGN.md): <= 150 MB RSS, aim <= 80 MB.

The peer is the ticker as one strip, the way the controller drew it before: the size of that strip for
each scenario's ticker, computed from the font's advances rather than allocated (80 announcements of
500 characters took a wall controller to 2.8 GB that way).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._devices import Publisher
from benchmarks._support import REPO, MeasuredChild, TimedSubscriber, machine_lines, mosquitto_version
from content.broker.local import Mosquitto
from content.centre.loader import load_content
from content.centre.synth import SAMPLE
from content.service import documents
from content.service.live import Live
from content.shared import contract
from led_driver.profile import find_profile, load_profile
from led_driver.render import font_of
from led_driver.text import TICKER_GAP
from tests.conftest import CENTRE, ROSTER

PREFIX = f"hall/v1/{CENTRE}/"
MIB = 1024 * 1024
BUDGET_MB, AIM_MB = 150, 80
NOW = datetime.fromisoformat("2026-12-02T10:00:00+08:00")
PHRASE = "请带好身份证件和户口簿到综合窗口办理"


def _doc(body: dict[str, Any]) -> bytes:
    return contract.encode(contract.state_document(body, NOW, rev=os.urandom(8).hex()))


def _announcements(count: int, chars: int, priority: str = "normal") -> dict[str, bytes]:
    text = (PHRASE * (chars // len(PHRASE) + 1))[:chars]
    rows = [
        {
            "id": f"a{k}",
            "text": text,
            "priority": priority,
            "targets": ["all"],
            "starts": NOW.isoformat(),
            "expires": None,
        }
        for k in range(count)
    ]
    return {"announcements": _doc({"announcements": rows})}


def _catalog(items: int) -> dict[str, bytes]:
    item = {
        "category": "shebao",
        "instant": False,
        "limits": {"legal": 20, "promised": 8},
        "fee": "不收费",
        "name": "名" * 5000,
        "documents": [{"name": "证" * 2000, "form": "copy", "copies": 1, "note": "注" * 2000}] * 3,
        "steps": ["步" * 2000] * 10,
    }
    return {"catalog": _doc({"categories": [], "items": [{"id": f"item-{k}", **item} for k in range(items)]})}


def _queue(windows: int) -> dict[str, bytes]:
    rows = [{"id": f"w{k}", "number": k % 999 + 1, "name": "窗" * 4000, "serving": "A001"} for k in range(windows)]
    return {"queue": _doc({"windows": rows, "categories": [], "last_calls": []})}


SCENARIOS: list[tuple[str, Callable[[], dict[str, bytes]]]] = [
    ("80 announcements of 500 characters", lambda: _announcements(80, 500)),
    ("150 announcements of 8,000 characters (3.6 MB)", lambda: _announcements(150, 8000)),
    ("an emergency of 100,000 characters", lambda: _announcements(1, 100_000, "emergency")),
    ("a 3.9 MB catalog: 5,000-character names, 2,000-character steps", lambda: _catalog(34)),
    ("a 3.6 MB queue: 300 windows with names of 4,000 characters", lambda: _queue(300)),
    (
        "past 4 MiB: announcements, catalog, queue of 14-15 MB",
        lambda: {**_announcements(600, 8000), **_catalog(130), **_queue(1200)},
    ),
]


def _memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a running process, in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def _publish(url: str, payloads: dict[str, bytes]) -> str:
    """Publish retained as the service; "" when the broker took every one, else what it did instead."""
    service = Publisher(url, f"bench-{os.urandom(3).hex()}")
    try:
        for topic, payload in payloads.items():
            service.client.publish(PREFIX + topic, payload, qos=1, retain=True).wait_for_publish(60)
    except RuntimeError:  # the broker closes the connection of a client that sends a packet too large
        return "the broker refused them (max_packet_size) and closed the connection"
    finally:
        service.close()
    return ""


def _ready(arrival: Any) -> bool:
    return bool(arrival.payload) and json.loads(arrival.payload).get("status") == "ready"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="how long the wall runs after each scenario")
    args = parser.parse_args()
    print("bench_led_memory: LED controller memory, whatever it is sent (wall-1920x1080 at 30 fps, output null)")
    print("\n".join(machine_lines([f"broker    {mosquitto_version()}"])))
    profile, problems = load_profile(find_profile("wall-1920x1080"))
    assert profile is not None, problems
    font = font_of(profile, next(zone for zone in profile.zones if zone.kind == "ticker"))
    content = load_content(SAMPLE).content
    assert content is not None
    sample = {
        topic: contract.encode(contract.state_document(body, NOW))
        for topic, body in documents.all_documents(content, Live(), NOW).items()
    }
    rows: list[tuple[str, float, float, float | None]] = []
    with tempfile.TemporaryDirectory(prefix="bench-led-memory-") as tmp:
        broker = Mosquitto(Path(tmp) / "broker", ROSTER).start()
        try:
            _publish(broker.url("service"), sample)
            presence = TimedSubscriber(broker.url("service"), [PREFIX + "device/led-wall/state"]).wait_subscribed()
            argv = [
                str(REPO / ".venv" / "bin" / "hall"), "led", "--display", "wall-1920x1080", "--output", "null",
                "--broker", broker.url("led-wall"), "--centre", CENTRE, "--cache", str(Path(tmp) / "cache"),
            ]  # fmt: skip
            child = MeasuredChild(argv)
            presence.wait_for(_ready, 30)
            time.sleep(args.seconds)  # a benchmark: the wall runs a while, then we read what it holds
            rows.append(("the sample centre", *_memory(child.pid), None))
            for name, make in SCENARIOS:
                payloads = make()
                refused = _publish(broker.url("service"), payloads)
                if refused:
                    name = f"{name}: {refused}"
                time.sleep(args.seconds)
                peer = None
                if "announcements" in payloads:
                    texts = [a["text"] for a in json.loads(payloads["announcements"])["announcements"]]
                    strip = "　　".join(texts) + TICKER_GAP
                    peer = font.text_width(strip) * font.line_height * 3 / MIB
                rows.append((name, *_memory(child.pid), peer))
            mark = presence.mark()
            _publish(broker.url("service"), sample)  # and back to real content: the wall is still there
            time.sleep(args.seconds)
            rows.append(("the sample centre again", *_memory(child.pid), None))
            alive = Path(f"/proc/{child.pid}").exists() and not [a for a in presence.arrivals[mark:] if not _ready(a)]
            child.terminate()
            code, peak_kib = child.wait(30)
            presence.close()
        finally:
            broker.stop()
    print()
    print(f"  {'after':<64} {'RSS':>9} {'peak':>9}   {'one strip (peer)':>16}")
    for name, rss, hwm, peer in rows:
        shown = f"{peer:,.0f} MB" if peer is not None else "—"
        print(f"  {name:<64} {rss:6.1f} MB {hwm:6.1f} MB   {shown:>16}")
    peak = peak_kib / 1024
    verdict = "PASS" if peak <= BUDGET_MB else "OVER"
    aim = "aim met" if peak <= AIM_MB else "aim missed"
    print(
        f"\n  peak RSS of the controller over the run (wait4): {peak:.1f} MB   must <= {BUDGET_MB} MB (aim {AIM_MB}): "
        f"{verdict}, {aim}"
    )
    print(f"  still running and ready at the end: {alive}; exit code on SIGTERM: {code}")
    return 0 if code == 0 and alive else 1


if __name__ == "__main__":
    sys.exit(main())
