"""`hall demo`: a broker, the content service on the sample centre, and how to try each part."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from content.broker_url import parse_broker_url
from content.brokerconf import Account, Roster
from content.brokerproc import EmbeddedBroker, Mosquitto, mosquitto_available
from content.loader import load_content
from content.service import ContentService
from content.store import Store
from content.synth import SAMPLE

log = logging.getLogger("hall.demo")

DEMO_DIR = Path("var") / "demo"
ACCOUNTS = (("service", "service"), ("staff", "staff"), ("kiosk-1", "kiosk"), ("led-wall", "display"))


def _guide(centre: str, staff_url: str, display_url: str, env_file: Path) -> str:
    parsed = parse_broker_url(display_url)
    auth = f"-u {parsed.username} -P '{parsed.password}' " if parsed.username else ""
    return f"""
The hall demo is running. In another terminal:

  source {env_file}                      # sets HALL_BROKER (a staff account) and HALL_CENTRE={centre}

  hall announce "今天逢场，各窗口全员在岗，请按号有序办理" --expires 2h
  hall announce "系统维护，暂停办理社保业务" --priority emergency --expires 10m
  hall announce --clear a1
  hall staff s03 away --substitute s04      # 陈静 leaves the comprehensive window, s04 covers
  hall staff s03 on_duty

  hall ticket shebao                        # a citizen takes a number (prints it last)
  hall ticket shebao --priority elderly
  hall call shebao                          # 请A002号到2号窗口办理: priority first
  hall call shebao --recall
  hall call shebao --transfer minzheng      # keeps its number and place
  hall window guotu pause --reason 下村办件
  hall stats

Watch what a display receives (a display account: read-only):

  mosquitto_sub -h {parsed.host} -p {parsed.port} {auth}-v -t 'hall/v1/{centre}/#' -F '%t %p' | cut -c1-200

Edit a file under the content directory and save: the change is republished within 2 s; a broken
edit is reported here with file:line and the last good content stays published.

Ctrl-C stops everything the demo started.
"""


def run_demo(content_dir: Path | None = None, *, embedded: bool = False) -> int:
    content_dir = content_dir or SAMPLE
    loaded = load_content(content_dir)
    if loaded.content is None:
        for problem in loaded.problems:
            print(problem, file=sys.stderr)
        return 1
    centre = loaded.content.centre.id
    DEMO_DIR.mkdir(parents=True, exist_ok=True)

    broker: Any
    if mosquitto_available() and not embedded:
        roster = Roster(centre=centre, accounts=[Account(user=u, role=r) for u, r in ACCOUNTS])  # type: ignore[arg-type]
        broker = Mosquitto(DEMO_DIR / "broker", roster).start()
        service_url, staff_url, display_url = (
            broker.url("service"),
            broker.url("staff"),
            broker.url("led-wall"),
        )
        print(f"Mosquitto {broker.url('service').split('@')[1]} with broker_config roles (logs in {broker.directory})")
    else:
        broker = EmbeddedBroker().start()
        service_url = staff_url = display_url = broker.url()
        print(f"embedded broker on {broker.url()} (anonymous, loopback only: install mosquitto for the real set-up)")

    env_file = DEMO_DIR / "env"
    env_file.write_text(f"export HALL_BROKER='{staff_url}'\nexport HALL_CENTRE={centre}\n", encoding="utf-8")
    env_file.chmod(0o600)

    store = Store(DEMO_DIR / "state.sqlite3")
    service = ContentService(content_dir, parse_broker_url(service_url), store)
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(service.run()), name="service")
    previous = {sig: signal.signal(sig, lambda *_: service.request_stop()) for sig in (signal.SIGINT, signal.SIGTERM)}
    thread.start()
    try:
        while thread.is_alive() and not service.ready.wait(0.2):
            pass
        if service.ready.is_set():
            print(_guide(centre, staff_url, display_url, env_file), flush=True)
        thread.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        service.request_stop()
        thread.join()
        store.close()
        broker.stop()
        print("demo stopped")
    return result[0] if result else 1
