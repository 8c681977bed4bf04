"""`hall serve`: the content service, with its public pages (--http) and the staff console (--console-broker)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from hall.options import broker, host_port, public_url
from hall.parts import require

HELP = "run the content service"
DEFAULT_STATE = Path("var") / "hall-state.sqlite3"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", required=True, metavar="DIR", help="the centre's content directory")
    parser.add_argument("--broker", help="mqtt[s]://user:pass@host:port (default: $HALL_BROKER)")
    parser.add_argument("--state", metavar="FILE", help="SQLite file for live state (default: var/hall-state.sqlite3)")
    parser.add_argument("--no-watch", action="store_true", help="do not republish when content files change")
    parser.add_argument(
        "--case-secret",
        metavar="FILE",
        help="the secret that signs the case tracking links, made on first start (default: case-secret beside --state)",
    )
    parser.add_argument(
        "--http",
        type=host_port,
        metavar="HOST:PORT",
        help="serve the public pages that the QR codes open (guides, ticket progress) on HOST:PORT",
    )
    parser.add_argument(
        "--console-broker",
        metavar="URL",
        help="serve the staff console at /console (with --http), acting through this broker account of its own"
        " (a staff account; mqtt[s]://console:pass@host:port, default: $HALL_CONSOLE_BROKER)",
        default=os.environ.get("HALL_CONSOLE_BROKER"),
    )
    parser.add_argument(
        "--users",
        metavar="FILE",
        help="the console's users file, written by `hall user` (default: users.sqlite3 beside --state)",
    )
    parser.add_argument(
        "--proxies",
        type=int,
        choices=range(6),
        default=0,
        metavar="N",
        help="reverse proxies in front of --http that add X-Forwarded-For (the hall's nginx: 1), so that the"
        " tracking page's rate limit counts each phone, not the proxy; 0 (default): none, the header is ignored",
    )
    parser.add_argument(
        "--public-url",
        type=public_url,
        metavar="URL",
        help="where phones reach those pages (default: public_url in centre.yaml); the QR codes use it",
    )


def run(args: argparse.Namespace) -> int:
    require("service")
    from hall.assembly import HallError, HallOptions, build_hall

    options = HallOptions(
        content=Path(args.content),
        broker=broker(args.broker),
        state=Path(args.state) if args.state else DEFAULT_STATE,
        watch=not args.no_watch,
        case_secret=Path(args.case_secret) if args.case_secret else None,
        http=args.http,
        proxies=args.proxies,
        public_url=args.public_url,
        console_broker=broker(args.console_broker) if args.console_broker else None,
        users=Path(args.users) if args.users else None,
    )
    try:
        hall = build_hall(options)
    except HallError as exc:
        print(f"hall serve: {exc}", file=sys.stderr)
        return exc.code
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: hall.request_stop())
    hall.start()
    try:
        hall.wait()
    finally:
        code = hall.stop()
    return code
