"""Benchmark: cases (办件) with a busy district's history in the store (budgets in benchmarks/README.md).

    .venv/bin/python benchmarks/bench_cases.py [--cases 100000] [--commands 1000] [--seconds 4] [--phones 8]

1. The store is filled with `--cases` cases of the sample centre's items over the last 200 days, as the
   service writes them (`Store.commit_cases`, a thousand a transaction): most collected, some waiting
   for collection, a few thousand open, some of those overdue. Rows and the file's size are printed.
2. `hall serve` runs as a child process on that state file, as in production. `case_list --overdue`
   is asked through the broker by one staff connection, one at a time (the round trip the CLI waits
   for), and then `hall case list --overdue` is run as a process (the CLI's own start included).
3. Opening and advancing: one staff connection keeps 8 commands in flight; `--commands` `case_open`,
   then as many `case_advance` (sent to the district) of the cases just opened. Cases a second, and the
   round trip's p50 / p90 / p99 / max.
4. The tracking page: `content.web.WebServer` in this process over the same state file (a read-only
   connection a thread, as `hall serve --http` reads it), `--phones` clients at once in a child process,
   each a keep-alive connection, `GET /t/<case>?k=<token>` for cases spread over the whole store, for
   `--seconds`: pages a second and p50 / p90 / p99 / max. The per-client rate limit is lifted for the
   run (every phone here is 127.0.0.1); the peer is the same bytes from `http.server`.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _devices import Client
from _support import REPO, machine_lines, percentiles, percentiles_ms

sys.path.insert(0, str(REPO))  # for the tests' roster

from bench_queue import PREFIX, SERVICE_ROSTER, Hall, _hall_command, _wait_ready

from content.broker.local import Mosquitto
from content.cases import rules
from content.cases.calendar import calendar_for
from content.centre.loader import Content, load_content
from content.centre.synth import SAMPLE, numbers_at_any_hour
from content.service.secret import SECRET_FILE, load_or_create
from content.service.store import Store
from content.shared import contract
from tests.conftest import CENTRE, ROSTER, roster_file

ZONE = ZoneInfo("Asia/Shanghai")
MUST_TRACK_P99_S, AIM_TRACK_P99_S = 0.050, 0.010
AIM_LIST_S = 0.100
DAYS = 200
BATCH = 1000


def _life(case: rules.Case, at: datetime, rng: random.Random, end: datetime) -> rules.Case:
    """The case taken as far as its age allows: up to the deciding tier, decided, back, collected."""
    step = timedelta(hours=rng.randint(2, 30))
    plan: list[tuple[str, str | None]] = []
    if case.opened_tier == "village":
        plan.append(("sent", "township"))
    if case.deciding_tier == "district":
        plan.append(("sent", "district"))
    plan += [("accepted", None), ("reviewing", None), ("decided", None)]
    if case.deciding_tier != case.opened_tier:
        if case.deciding_tier == "district":
            plan.append(("returned", "township"))
        if case.opened_tier == "village":
            plan.append(("returned", "village"))
    plan += [("ready", None), ("collected", None)]
    for kind, to in plan:
        at += step
        if at >= end:
            break
        if to is not None:
            if to == case.holder:
                continue
            case = rules.hand_over(case, to, by="bench", now=at)
        else:
            case = rules.advance(case, kind, by="bench", now=at)
    return case


def fill(state: Path, content: Content, count: int, seed: int = 7) -> tuple[list[str], float]:
    """`count` cases written as the service writes them; their numbers and the seconds it took."""
    rng = random.Random(seed)
    calendar = calendar_for(content)
    items = [i for i in content.items if i.documents and "township" in i.tiers]
    now = datetime.now(ZONE)
    per_day = -(-count // DAYS)
    numbers: list[str] = []
    started = time.perf_counter()
    store = Store(state)
    try:
        batch: list[tuple[rules.Case, rules.Case | None]] = []
        for n in range(count):
            day_back, seq = DAYS - n // per_day, n % per_day + 1
            opened = (now - timedelta(days=day_back)).replace(hour=9, minute=0) + timedelta(seconds=20 * seq)
            item = rng.choice(items)
            at = "village" if "village" in item.tiers and rng.random() < 0.6 else "township"
            agent = next(a.id for a in content.agents if a.tier == "village") if at == "village" else None
            case = rules.open_case(
                number=rules.case_number(content.centre.cases.prefix, opened.date(), seq),
                item_id=item.id, item_name=item.name, item_tiers=item.tiers, promised=item.limits.promised,
                proxy=item.limits.proxy, required=[d.name for d in item.documents], at=at, by="bench", now=opened,
                received=[d.name for d in item.documents][: rng.randint(0, len(item.documents))],
                agent=agent, window=None if agent else "zonghe", applicant="张三丰",
                phone=f"138{rng.randrange(10**8):08d}", notify=rng.random() < 0.5,
            )  # fmt: skip
            # Most cases have run their course; the last weeks' are still on their way.
            end = now if day_back < 20 else opened + timedelta(days=rng.randint(5, 40))
            case = _life(case, opened, rng, min(end, now))
            batch.append((case, None))
            numbers.append(case.number)
            if len(batch) == BATCH:
                _commit(store, batch, calendar, now)
                batch = []
        if batch:
            _commit(store, batch, calendar, now)
    finally:
        store.close()
    return numbers, time.perf_counter() - started


def _commit(store: Store, batch: list[tuple[rules.Case, rules.Case | None]], calendar: Any, now: datetime) -> None:
    command = f"bench-fill-{batch[0][0].number}"
    store.commit_cases(command, "case_open", "bench", {"count": len(batch)}, {"ok": True}, batch, calendar, now)


def _summary(state: Path) -> str:
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
    try:
        total, open_, steps = db.execute(
            "SELECT COUNT(*), SUM(open), (SELECT COUNT(*) FROM case_steps) FROM cases"
        ).fetchone()
        today = datetime.now(ZONE).date().isoformat()
        overdue = db.execute("SELECT COUNT(*) FROM cases WHERE open = 1 AND due < ?", (today,)).fetchone()[0]
    finally:
        db.close()
    size = state.stat().st_size / 2**20
    return f"{total:,} cases ({open_:,} open, {overdue:,} overdue), {steps:,} steps, {size:.0f} MiB"


def _round_trips(client: Client, topic: str, jobs: list[dict[str, Any]], window: int) -> tuple[float, list[float]]:
    started = time.perf_counter()
    client.pipeline(topic, jobs, window)
    if not client.done.wait(300):
        raise TimeoutError(f"{topic}: not all answered")
    took = time.perf_counter() - started
    sent = list(client.sent.values())[-len(jobs) :]
    refused = [s.reply.get("error") for s in sent if not s.reply.get("ok")]
    if refused:
        raise RuntimeError(f"{topic}: {len(refused)} refused, e.g. {refused[0]}")
    return took, [s.reply_at - s.at for s in sent]


def commands(work: Path, content_dir: Path, state: Path, count: int) -> list[str]:
    broker = Mosquitto(work / "broker", ROSTER).start()
    hall = Hall(broker, content_dir, state, work / "service.log")
    lines: list[str] = []
    try:
        argv = [*_hall_command(), "serve", "--content", str(content_dir), "--broker", hall.url("service")]
        argv += ["--roster", str(roster_file(SERVICE_ROSTER))]
        with hall.log.open("wb") as log:
            service = subprocess.Popen([*argv, "--state", str(state)], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            start = time.perf_counter()
            _wait_ready(hall, lambda: service.poll() is not None)
            lines.append(f"service start on the filled store: {time.perf_counter() - start:.2f} s")
            staff = Client(hall.url("staff"), "bench", PREFIX, contract.reply_topic("staff")).wait_subscribed()
            topic = contract.command_topic("case_list", "staff")
            times = []
            for _ in range(20):
                sent = client_round(staff, topic, {"overdue": True})
                times.append(sent)
            listed = staff.wait_reply(staff.send(topic, {"overdue": True})).reply["result"]
            lines.append(
                f"case_list --overdue round trip ({listed['total']:,} overdue, {len(listed['cases'])} listed):"
                f" {percentiles_ms(times)} (aim ≤ {AIM_LIST_S * 1000:.0f} ms)"
            )
            cli = []
            env = {"HALL_BROKER": hall.url("staff"), "HALL_CENTRE": CENTRE, "PATH": "/usr/bin:/bin"}
            for _ in range(3):
                began = time.perf_counter()
                run = subprocess.run(
                    [*_hall_command(), "case", "list", "--overdue"], env=env, capture_output=True, text=True
                )
                cli.append(time.perf_counter() - began)
                if run.returncode != 0:
                    raise RuntimeError(run.stderr)
            lines.append(f"`hall case list --overdue` as a process, start included: {min(cli):.2f} s best of 3")

            opens = [{"item": "minzheng-dibao", "at": "township", "window": "zonghe"} for _ in range(count)]
            took, trips = _round_trips(staff, contract.command_topic("case_open", "staff"), opens, 8)
            lines.append(f"case_open, 8 in flight: {count / took:,.0f} a second; round trip {percentiles_ms(trips)}")
            opened = [s.reply["result"]["number"] for s in list(staff.sent.values())[-count:]]
            moves = [{"case": n, "stage": "sent", "to": "district"} for n in opened]
            took, trips = _round_trips(staff, contract.command_topic("case_advance", "staff"), moves, 8)
            lines.append(f"case_advance, 8 in flight: {count / took:,.0f} a second; round trip {percentiles_ms(trips)}")
        finally:
            service.terminate()
            service.wait(15)
    finally:
        broker.stop()
    return lines


def client_round(client: Client, topic: str, args: dict[str, Any]) -> float:
    sent = client.wait_reply(client.send(topic, args))
    if not sent.reply.get("ok"):
        raise RuntimeError(sent.reply)
    return sent.reply_at - sent.at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--phones", type=int, default=8)
    args = parser.parse_args()
    for line in machine_lines():
        print(line)
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp:
        work = Path(tmp)
        content_dir = work / "centre"
        shutil.copytree(SAMPLE, content_dir)
        numbers_at_any_hour(content_dir)  # a benchmark runs at any hour
        loaded = load_content(content_dir).content
        assert loaded is not None
        state = work / "state.sqlite3"
        numbers, took = fill(state, loaded, args.cases)
        print(f"\nfilled in {took:.1f} s: {_summary(state)}")
        secret = load_or_create(state.with_name(SECRET_FILE))
        gc.collect()
        gc.freeze()  # as `hall serve` does after each load: the content out of the collector's reach
        print()
        for line in tracking(loaded, state, secret, numbers, args.phones, args.seconds):
            print(line)
        print()
        for line in commands(work, content_dir, state, args.commands):
            print(line)
    return 0


def tracking(
    content: Content, state: Path, secret: bytes, numbers: list[str], phones: int, seconds: float
) -> list[str]:
    """The tracking page at `phones` phones at once, and the same bytes from the standard library."""
    from bench_web import Clients, StdlibPeer, fetch_pages

    from content.broker.local import LOOPBACK, free_port
    from content.service.case_store import CaseReader
    from content.service.live import Live, Snapshot
    from content.web import tracking as tracking_module
    from content.web.server import pages_server

    # Every phone here is 127.0.0.1: lift the per-client limit for the run (the server is unchanged).
    init = tracking_module.RateLimit.__init__
    defaults = init.__defaults__
    assert defaults is not None
    init.__defaults__ = (10**9, *defaults[1:])
    snapshot = Snapshot(content, Live(), datetime.now(ZONE))
    web = pages_server(LOOPBACK, free_port(), lambda: snapshot, cases=(CaseReader(state), secret))
    web.start()
    rng = random.Random(11)
    chosen = rng.sample(numbers, min(200, len(numbers)))
    paths = [["t", f"/t/{n}?k={rules.token(secret, n)}"] for n in chosen]
    clients = Clients()
    lines = []
    try:
        pages = fetch_pages(web.port, [path for _label, path in paths])
        peer = StdlibPeer(pages)
        for name, port, peer_run in (
            ("tracking page", web.port, False),
            ("same bytes from http.server", peer.port, True),
        ):
            job = {"kind": "load", "port": port, "paths": paths, "clients": phones, "seconds": seconds}
            out, _cpu = clients.run(job)
            times = out["by"].get("t", [])
            verdict = ""
            if not peer_run:
                p99 = percentiles(times)["p99"]
                must = "PASS" if p99 <= MUST_TRACK_P99_S else "over"
                verdict = (
                    f"  [{must} must p99 ≤ {MUST_TRACK_P99_S * 1000:.0f} ms; aim ≤ {AIM_TRACK_P99_S * 1000:.0f} ms]"
                )
            lines.append(
                f"{name}, {phones} phones: {len(times) / out['elapsed']:,.0f} pages a second,"
                f" {percentiles_ms(times)}, {out['errors']} errors{verdict}"
            )
        peer.stop()
    finally:
        clients.close()
        web.stop()
        init.__defaults__ = defaults
    return lines


if __name__ == "__main__":
    sys.exit(main())
