"""`hall`: the command line for installers and staff."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from content.shared.broker_url import BrokerUrl, BrokerUrlError, broker_from, redact

CENTRE_ENV = "HALL_CENTRE"
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


class UsageError(Exception):
    """Bad arguments: printed as `hall: error: …`, exit code 2."""


def parse_duration(text: str) -> int:
    """'30m', '2h', '1h30m', '45s', '1d' → seconds."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise UsageError(f"duration {text!r} should look like 30m, 2h, 1h30m, 45s or 1d")
    days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total <= 0:
        raise UsageError(f"duration {text!r} must be longer than zero")
    return total


def _centre(args: argparse.Namespace) -> str:
    from content.shared.contract import CENTRE_ID

    centre = args.centre or os.environ.get(CENTRE_ENV)
    if not centre:
        raise UsageError(f"no centre: pass --centre ID or set {CENTRE_ENV} (e.g. weicheng)")
    if not CENTRE_ID.match(centre):
        raise UsageError(f"centre id {centre!r} must be lowercase latin letters, digits and '-'")
    return str(centre)


def _check_profile(path: str, content: Any, content_label: str, window: str | None) -> bool:
    """Check a display profile, and with `content` every window it refers to; True when it has problems."""
    from led_driver.profile import find_profile, load_profile

    profile, problems = load_profile(find_profile(path))
    for problem in problems:
        print(problem)
    if profile is None:
        print(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}", file=sys.stderr)
        return True
    refs = [*profile.windows_named, *([window] if window and profile.needs_window else [])]
    wrong: list[str] = []
    if content is not None:
        ids = [w.id for w in content.centre.windows]
        wrong = [
            f"{path}: window {ref!r} is not one of {content_label}'s windows ({', '.join(ids)})"
            for ref in dict.fromkeys(refs)
            if ref not in ids
        ]
    for line in wrong:
        print(line)
    if wrong:
        print(f"{path}: {len(wrong)} problem{'s' if len(wrong) != 1 else ''}", file=sys.stderr)
        return True
    shows = ""
    if profile.needs_window:
        shows = f", showing window {window}" if window else ", showing the window `hall led --window` names"
    print(
        f"{path}: ok: {profile.name}, {profile.size[0]}×{profile.size[1]} {profile.colour_mode}, "
        f"{len(profile.zones)} zones{shows}"
    )
    return False


def _warn_uncovered(directory: Path, label: str) -> None:
    """Warn about characters no display font draws; a warning, not a problem: the hall still runs."""
    from hall.glyphs import display_fonts, uncovered

    for warning in uncovered(directory, label, display_fonts()):
        print(warning)


def _broker(args: argparse.Namespace) -> BrokerUrl:
    try:
        return broker_from(args.broker)
    except BrokerUrlError as exc:
        raise UsageError(str(exc)) from None


# -- subcommands ----------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from content.centre.loader import load_content, summary
    from content.service.documents import oversized
    from led_driver.profile import shipped

    def is_profile(path: str) -> bool:
        return path.endswith((".yaml", ".yml")) or (path in shipped() and not Path(path).exists())

    failed = False
    reference = None
    if args.content is not None:
        loaded = load_content(Path(args.content), label=args.content.rstrip("/"))
        reference = loaded.content
        if reference is None:
            for found in loaded.problems:
                print(found)
            print(f"{args.content}: cannot check the profiles against it: fix its problems first", file=sys.stderr)
            return 1
    elif args.window is not None:
        raise UsageError("--window is checked against a centre's windows: give --content DIR too")
    for directory in args.dirs:
        if is_profile(directory):
            label = (args.content or "").rstrip("/")
            failed = _check_profile(directory, reference, label, args.window) or failed
            continue
        result = load_content(Path(directory), label=directory.rstrip("/"))
        problems = [str(p) for p in result.problems]
        if result.content is not None:
            problems += [
                f"{directory.rstrip('/')}: {too_large}" for too_large in oversized(result.content, datetime.now(UTC))
            ]
        for problem in problems:
            print(problem)
        if result.content is not None:
            _warn_uncovered(Path(directory), directory.rstrip("/"))
            from content.cases.calendar import calendar_warnings

            for warning in calendar_warnings(result.content, datetime.now(UTC).date()):
                print(f"{directory.rstrip('/')}/holidays.yaml: warning: {warning}")
        if result.content is None or problems:
            failed = True
            count = len(problems)
            print(f"{directory}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        else:
            print(f"{directory}: ok: {summary(result.content)}")
    return 1 if failed else 0


def host_port(text: str) -> tuple[str, int]:
    """An argparse type: HOST:PORT ([::1]:8080 for IPv6), the port 0-65535 (0: any free port)."""
    host, sep, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: give HOST:PORT, e.g. 127.0.0.1:8080")
    return host, int(port)


def public_url(text: str) -> str:
    """An argparse type: an http(s) address without spaces."""
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give an http:// or https:// address, e.g. http://hall.example:8080"
        )
    return text.rstrip("/")


def cmd_serve(args: argparse.Namespace) -> int:
    from content.service.loop import ContentService
    from content.service.store import Store, StoreInUse

    broker = _broker(args)
    content_dir = Path(args.content)
    state = Path(args.state) if args.state else Path("var") / "hall-state.sqlite3"
    try:
        store = Store(state)
    except (OSError, sqlite3.Error, StoreInUse) as exc:
        print(f"hall serve: cannot use the state file {state}: {exc}", file=sys.stderr)
        return 1
    from content.service.case_store import CaseReader
    from content.service.secret import SECRET_FILE, SecretError, load_or_create

    secret_path = Path(args.case_secret) if args.case_secret else state.with_name(SECRET_FILE)
    try:
        secret = load_or_create(secret_path, content_dir)
    except SecretError as exc:
        print(f"hall serve: {exc}", file=sys.stderr)
        store.close()
        return 1
    console = None
    if args.console_broker:
        if not args.http:
            print(
                "hall serve: the staff console is served with the public pages: give --http HOST:PORT", file=sys.stderr
            )
            store.close()
            return 2
        from content.accounts.users import UserStore, users_path
        from content.web.console import ConsoleSetup
        from content.web.console_link import ConsoleLink

        console_url = _broker(argparse.Namespace(broker=args.console_broker))
        try:
            users = UserStore(Path(args.users) if args.users else users_path(state))
        except Exception as exc:  # the users file: unreadable, or not one
            print(f"hall serve: cannot use the users file: {exc}", file=sys.stderr)
            store.close()
            return 1
        from content.centre.loader import load_content

        loaded = load_content(content_dir).content
        if loaded is None:
            print(f"hall serve: {content_dir} is not valid: run hall check {content_dir}", file=sys.stderr)
            store.close()
            return 1
        from hall.preview import render_previews

        console = ConsoleSetup(users, ConsoleLink(console_url, loaded.centre.id), state=state, preview=render_previews)
    service = ContentService(
        content_dir,
        broker,
        store,
        watch=not args.no_watch,
        public_url=args.public_url,
        case_secret=secret,
        console_accounts=frozenset({console.link.account}) if console else frozenset(),
    )
    web = None
    if args.http:
        from content.web.server import WebServer

        host, port = args.http
        try:
            web = WebServer(
                host, port, service.snapshot, cases=(CaseReader(state), secret), proxies=args.proxies, console=console
            )
        except (OSError, ValueError) as exc:
            print(f"hall serve: cannot serve the public pages on {host}:{port}: {exc}", file=sys.stderr)
            store.close()
            return 1
        web.start()
    if console is not None:
        console.link.start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: service.request_stop())
    try:
        return service.run()
    finally:
        if console is not None:
            console.link.stop()
        if web is not None:
            web.stop()
        store.close()


def _send(args: argparse.Namespace, verb: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    from content.shared.client import CommandFailed, send_command

    broker = _broker(args)
    centre = _centre(args)
    try:
        return send_command(broker, centre, verb, payload, timeout=args.timeout)
    except CommandFailed as exc:
        print(f"hall {verb}: {exc}", file=sys.stderr)
        return None


def cmd_announce(args: argparse.Namespace) -> int:
    if args.clear:
        if args.text:
            raise UsageError("give either TEXT or --clear ID, not both")
        result = _send(args, "announce", {"clear": args.clear})
        if result is None:
            return 1
        print(f"cleared announcement {result['cleared']}")
        return 0
    if not args.text:
        raise UsageError("announce needs TEXT (or --clear ID)")
    payload: dict[str, Any] = {
        "text": args.text,
        "priority": args.priority,
        "targets": args.target or ["all"],
    }
    if args.expires:
        payload["duration_s"] = parse_duration(args.expires)
    result = _send(args, "announce", payload)
    if result is None:
        return 1
    until = f" until {result['expires']}" if result.get("expires") else " until cleared"
    print(f"announcement {result['id']} ({result['priority']}, {', '.join(result['targets'])}){until}")
    return 0


def cmd_staff(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"staff": args.id, "status": args.status}
    if args.substitute:
        payload["substitute"] = args.substitute
    result = _send(args, "staff", payload)
    if result is None:
        return 1
    substitute = f", substitute {result['substitute']}" if result.get("substitute") else ""
    print(f"{result['name']} ({result['staff']}): {result['status']} since {result['since']}{substitute}")
    return 0


def cmd_ticket(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"category": args.category}
    if args.priority:
        payload["priority"] = args.priority
    result = _send(args, "ticket", payload)
    if result is None:
        return 1
    kind = f" ({result['priority']} priority)" if result.get("priority") else ""
    wait = result.get("estimated_wait_min")
    estimate = f"about {wait} min" if wait is not None else "no window serving it is open now"
    print(f"{result['category_name']}{kind}: {result['ahead']} ahead, {estimate}")
    if result.get("url"):
        print(result["url"])
    print(result["ticket"])
    return 0


def cmd_call(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"window": args.window, "action": "next"}
    chosen = [flag for flag in ("recall", "no_show", "done") if getattr(args, flag)]
    if args.ticket:
        chosen.append("ticket")
        payload["ticket"] = args.ticket.upper()
    if args.transfer:
        chosen.append("transfer")
        payload["category"] = args.transfer
    if args.to_window:
        chosen.append("transfer")
        payload["to_window"] = args.to_window
    if len(chosen) > 1:
        raise UsageError("give at most one of --recall, --no-show, --ticket, --transfer, --to-window, --done")
    if chosen:
        payload["action"] = chosen[0]
    result = _send(args, "call", payload)
    if result is None:
        return 1
    match payload["action"]:
        case "next" | "ticket" | "recall" if result.get("ticket") is None:
            print(f"no one waiting at {result['window_name']}")
        case "next" | "ticket" | "recall":
            again = "（重呼）" if result.get("recall") else ""
            print(f"{result['text']}{again}")
        case "transfer" if result.get("to_window_name"):
            print(f"{result['ticket']} moved to {result['to_window_name']}, which calls it next in its place")
        case "transfer":
            print(f"{result['ticket']} moved to {result['category_name']}, {result['ahead']} ahead")
        case _:
            print(f"{result['ticket']}: {result['status']}")
    return 0


def cmd_window(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"window": args.id, "state": args.state}
    if args.reason:
        payload["reason"] = args.reason
    result = _send(args, "window", payload)
    if result is None:
        return 1
    print(f"{result['window_name']}: {'open' if result['open'] else 'paused (' + result['reason'] + ')'}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    import csv

    from content.queue.stats import COLUMNS

    payload: dict[str, Any] = {}
    if args.date:
        payload["date"] = args.date
    result = _send(args, "stats", payload)
    if result is None:
        return 1
    rows = result["rows"]
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return 0
    print(f"queue statistics for {result['day']} (minutes)")
    header = ("", "tickets", "served", "no-show", "waiting", "avg wait", "p90 wait", "avg service", "idle")
    print(_pad(header[0], 16) + "".join(f"{h:>12}" for h in header[1:]))
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            print(f"-- {group}")
        values = [row[k] for k in COLUMNS[3:]]
        cells = "".join(f"{'-' if v is None else v:>12}" for v in values)
        print(_pad(row["name"], 16) + cells)
    cases = result.get("cases") or []
    print()
    print(f"cases decided on time (限时办结) since {result.get('cases_since', '?')}")
    if not cases:
        print("  none decided")
    group = None
    for row in cases:
        if row["group"] != group:
            group = row["group"]
            print(f"-- {group}")
        rate = "-" if row["rate"] is None else f"{row['rate']}%"
        print(_pad(str(row["name"]), 32) + f"{row['decided']:>10}{row['on_time']:>10}{rate:>10}")
    return 0


def cmd_case(args: argparse.Namespace) -> int:
    code: int = args.case_func(args, lambda verb, payload: _send(args, verb, payload))
    return code


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a hanzi takes two columns."""
    import unicodedata

    shown, used = "", 0
    for char in text:
        w = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + w > width:
            break
        shown, used = shown + char, used + w
    return shown + " " * (width - used)


def cmd_led(args: argparse.Namespace) -> int:
    from led_driver.cli import LedUsageError, run

    try:
        return run(args, _broker(args), _centre(args))
    except LedUsageError as exc:
        raise UsageError(str(exc)) from None


def cmd_kiosk(args: argparse.Namespace) -> int:
    from kiosk.cli import KioskUsageError, run

    try:
        return run(args, _broker(args), _centre(args))
    except KioskUsageError as exc:
        raise UsageError(str(exc)) from None


def cmd_broker_config(args: argparse.Namespace) -> int:
    import yaml

    from content.broker.config import (
        BUILD_PLUGIN,
        CLIENTID_PLUGIN,
        Listeners,
        Roster,
        find_clientid_plugin,
        write_broker_dir,
    )
    from content.shared.yamlfile import load_yaml, validate_model

    if args.no_clientid_plugin:
        plugin = None
    else:
        plugin = Path(args.clientid_plugin) if args.clientid_plugin else find_clientid_plugin()
        if plugin is None or not plugin.is_file():
            where = f" at {plugin}" if plugin else ""
            raise UsageError(
                f"no {CLIENTID_PLUGIN}{where}, which binds client ids to accounts: {BUILD_PLUGIN}; "
                "or pass --clientid-plugin PATH (--no-clientid-plugin lets any account take over another's connection)"
            )
    data, located, problems = load_yaml(Path(args.roster))
    roster = None
    if not problems:
        roster, problems = validate_model(Roster, data, located)
    for problem in problems:
        print(problem, file=sys.stderr)
    if roster is None:
        return 1
    out = Path(args.out)
    listeners = Listeners(args.port, args.bind, args.tls_port, args.websockets_port)
    passwords = write_broker_dir(out, roster, listeners, run_as=args.user, plugin=plugin)
    accounts = out / "accounts.yaml"
    host = "127.0.0.1" if args.bind in ("0.0.0.0", "::") else args.bind
    urls = {user: f"mqtt://{user}:{password}@{host}:{args.port}" for user, password in passwords.items()}
    accounts.write_text(yaml.safe_dump(urls, allow_unicode=True, sort_keys=False), encoding="utf-8")
    accounts.chmod(0o600)
    print(f"wrote {out}/mosquitto.conf, acl, passwd ({len(passwords)} accounts)")
    print(f"broker URLs with passwords: {accounts} (readable by you only)")
    if args.tls_port:
        print(
            f"TLS listener on {args.tls_port}: put ca.crt, server.crt, server.key in {out}/certs "
            "(broker_config/make-certs.sh makes them)"
        )
    if plugin is None:
        print(f"WARNING: without {CLIENTID_PLUGIN} any account can take over another's connection", file=sys.stderr)
    print(f"run: mosquitto -c {out}/mosquitto.conf")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from content.centre.stress import write_stress_centre
    from content.centre.synth import write_synthetic_centre

    if args.items < 1:
        raise UsageError("--items must be at least 1")
    out = Path(args.out)
    try:
        if args.stress:
            write_stress_centre(out)
        else:
            write_synthetic_centre(out, args.items, seed=args.seed)
    except (FileExistsError, NotADirectoryError) as exc:  # refused: --out names someone else's files
        raise UsageError(f"--out: {exc}") from None
    except OSError as exc:
        print(f"hall synth: cannot write {out}: {exc}", file=sys.stderr)
        return 1
    if args.stress:
        print(f"wrote the stress centre to {out}: try every screen with it")
    else:
        print(f"wrote a synthetic centre with {args.items} items to {out}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from hall.commands.demo import run_demo

    return run_demo(Path(args.content) if args.content else None, embedded=args.embedded)


# -- parser ---------------------------------------------------------------------------------------


def _add_remote(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", help="mqtt[s]://user:pass@host:port (default: $HALL_BROKER)")
    parser.add_argument("--centre", help=f"centre id (default: ${CENTRE_ENV})")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the reply (default 10)")


MAX_LOG_CHARS = 2000
"""A log line is cut past this: a hostile value logged cannot fill a disk, nor a journal with one line."""


class BoundedLog(logging.Filter):
    """Every log line at most MAX_LOG_CHARS long, and with no broker password in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        if len(message) > MAX_LOG_CHARS:
            message = f"{message[:MAX_LOG_CHARS]}… ({len(message)} characters)"
        record.msg, record.args = message, None
        return True


class _Parser(argparse.ArgumentParser):
    """argparse, whose errors never show a broker's password (it repeats what it could not use)."""

    def error(self, message: str) -> NoReturn:
        said = redact(message)
        if said != message or "mqtt://" in said or "mqtts://" in said:
            said += " (options go after the command: hall announce --broker URL TEXT)"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {said}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hall", description="Hall display system: content service and staff tools.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "check",
        help="validate content directories and display profiles (.yaml files or shipped names)",
        description="Validate content directories and display profiles. With --content, every window a profile "
        "refers to (and --window's) must be one of that centre's windows.",
    )
    p.add_argument("dirs", nargs="+", metavar="PATH")
    p.add_argument("--content", metavar="DIR", help="check the profiles' window references against this centre")
    p.add_argument("--window", metavar="ID", help="the window a window screen's profile will show (hall led --window)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("serve", help="run the content service")
    p.add_argument("--content", required=True, metavar="DIR", help="the centre's content directory")
    p.add_argument("--broker", help="mqtt[s]://user:pass@host:port (default: $HALL_BROKER)")
    p.add_argument("--state", metavar="FILE", help="SQLite file for live state (default: var/hall-state.sqlite3)")
    p.add_argument("--no-watch", action="store_true", help="do not republish when content files change")
    p.add_argument(
        "--case-secret",
        metavar="FILE",
        help="the secret that signs the case tracking links, made on first start (default: case-secret beside --state)",
    )
    p.add_argument(
        "--http",
        type=host_port,
        metavar="HOST:PORT",
        help="serve the public pages that the QR codes open (guides, ticket progress) on HOST:PORT",
    )
    p.add_argument(
        "--console-broker",
        metavar="URL",
        help="serve the staff console at /console (with --http), acting through this broker account of its own"
        " (a staff account; mqtt[s]://console:pass@host:port, default: $HALL_CONSOLE_BROKER)",
        default=os.environ.get("HALL_CONSOLE_BROKER"),
    )
    p.add_argument(
        "--users",
        metavar="FILE",
        help="the console's users file, written by `hall user` (default: users.sqlite3 beside --state)",
    )
    p.add_argument(
        "--proxies",
        type=int,
        choices=range(6),
        default=0,
        metavar="N",
        help="reverse proxies in front of --http that add X-Forwarded-For (the hall's nginx: 1), so that the"
        " tracking page's rate limit counts each phone, not the proxy; 0 (default): none, the header is ignored",
    )
    p.add_argument(
        "--public-url",
        type=public_url,
        metavar="URL",
        help="where phones reach those pages (default: public_url in centre.yaml); the QR codes use it",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("announce", help="publish or clear an announcement")
    p.add_argument("text", nargs="?", metavar="TEXT")
    p.add_argument("--priority", choices=["normal", "high", "emergency"], default="normal")
    p.add_argument("--expires", metavar="DURATION", help="e.g. 30m, 2h, 1d (default: until cleared)")
    p.add_argument("--target", action="append", choices=["all", "led", "kiosk"], help="repeatable (default: all)")
    p.add_argument("--clear", metavar="ID", help="take announcement ID down")
    _add_remote(p)
    p.set_defaults(func=cmd_announce)

    p = sub.add_parser("staff", help="set a staff member's on-duty status")
    p.add_argument("id", metavar="ID")
    p.add_argument("status", choices=["on_duty", "away", "off", "leave"])
    p.add_argument("--substitute", metavar="ID", help="who covers while away, off or on leave")
    _add_remote(p)
    p.set_defaults(func=cmd_staff)

    p = sub.add_parser("ticket", help="take a queue number (prints it as the last line)")
    p.add_argument("category", metavar="CATEGORY", help="category id, e.g. shebao")
    p.add_argument("--priority", choices=["elderly", "disabled", "pregnant", "military", "appointment"])
    _add_remote(p)
    p.set_defaults(func=cmd_ticket)

    p = sub.add_parser("call", help="call the next number to a window, or recall / no-show / transfer / done")
    p.add_argument("window", metavar="WINDOW", help="window id, e.g. zonghe")
    p.add_argument("--recall", action="store_true", help="call the current number again")
    p.add_argument("--no-show", action="store_true", help="the current number did not come")
    p.add_argument("--ticket", metavar="NUMBER", help="call this number, e.g. A012")
    p.add_argument("--transfer", metavar="CATEGORY", help="send the current number to another category's queue")
    p.add_argument(
        "--to-window", metavar="WINDOW", help="send the current number to another window, which alone calls it"
    )
    p.add_argument("--done", action="store_true", help="finish the current number without calling another")
    _add_remote(p)
    p.set_defaults(func=cmd_call)

    p = sub.add_parser("window", help="open or pause a window")
    p.add_argument("id", metavar="ID")
    p.add_argument("state", choices=["open", "pause"])
    p.add_argument("--reason", help="shown to the public while paused (default 暂停服务)")
    _add_remote(p)
    p.set_defaults(func=cmd_window)

    p = sub.add_parser("stats", help="queue statistics for a day")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="default: today")
    p.add_argument("--csv", action="store_true", help="comma-separated values, one row per group")
    _add_remote(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("case", help="cases (办件) through the three tiers: open, advance, show, list, trip, slip")
    from hall.commands.case import add_arguments as add_case_arguments

    add_case_arguments(p, _add_remote)
    p.set_defaults(func=cmd_case)

    p = sub.add_parser("user", help="accounts of the staff console: add, list, passwd, disable, enable, remove")
    from hall.commands import user as user_cli

    user_cli.add_arguments(p)
    p.set_defaults(func=user_cli.dispatch)

    p = sub.add_parser("led", help="drive an LED display from the broker")
    from led_driver.cli import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_led)

    p = sub.add_parser("kiosk", help="run the touchscreen kiosk (Kivy), or write screenshots of every screen")
    from kiosk.cli import add_arguments as add_kiosk_arguments

    add_kiosk_arguments(p)
    p.set_defaults(func=cmd_kiosk)

    p = sub.add_parser("broker-config", help="generate Mosquitto configuration from a roster")
    p.add_argument("--roster", required=True, metavar="FILE")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--port", type=int, default=1883)
    p.add_argument("--bind", default="127.0.0.1", help="listen address (the hall LAN address in production)")
    p.add_argument("--tls-port", type=int)
    p.add_argument("--websockets-port", type=int)
    p.add_argument("--user", help="user Mosquitto runs as when started as root (default: mosquitto)")
    p.add_argument(
        "--clientid-plugin",
        metavar="PATH",
        help="hall_clientid.so (default: $HALL_CLIENTID_PLUGIN, /usr/local/lib/mosquitto/, this checkout's build)",
    )
    p.add_argument(
        "--no-clientid-plugin",
        action="store_true",
        help="do without it: any account can take over another's connection",
    )
    p.set_defaults(func=cmd_broker_config)

    p = sub.add_parser("synth", help="write a synthetic centre with a large catalog (for benchmarks)")
    p.add_argument("--items", type=int, default=2000)
    p.add_argument(
        "--stress",
        action="store_true",
        help="write the stress centre instead: 20 windows, 40 categories (one empty), 60 staff, names with "
        "characters of every CJK extension, 1,000-character steps",
    )
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("demo", help="run a broker and the service on the sample centre")
    p.add_argument("--content", metavar="DIR", help="content directory (default: the sample centre)")
    p.add_argument("--embedded", action="store_true", help="use the embedded broker even if Mosquitto is installed")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(BoundedLog())
    for noisy in ("amqtt", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        code: int = args.func(args)
    except UsageError as exc:
        parser.exit(2, f"hall: error: {exc}\n")
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":
    sys.exit(main())
