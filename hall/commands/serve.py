"""`hall serve`: the content service, with its public pages (--http) and the staff console (--console-http,
--console-broker)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from content.shared.catalog import N_, domain
from hall.options import broker, broker_help, host_port, public_url, whole_number
from hall.parts import require

_ = domain("hall").gettext

HELP = N_("run the content service")
DEFAULT_STATE = Path("var") / "hall-state.sqlite3"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", required=True, metavar="DIR", help=_("the centre's content directory"))
    parser.add_argument("--broker", metavar="URL", help=broker_help())
    parser.add_argument(
        "--state", metavar="FILE", help=_("SQLite file for live state (default: var/hall-state.sqlite3)")
    )
    parser.add_argument("--no-watch", action="store_true", help=_("do not republish when content files change"))
    parser.add_argument(
        "--case-secret",
        metavar="FILE",
        help=_(
            "the secret that signs the case tracking links, made on first start (default: case-secret beside --state)"
        ),
    )
    parser.add_argument(
        "--http",
        type=host_port,
        metavar="HOST:PORT",
        help=_("serve the public pages that the QR codes open (guides, ticket progress) on HOST:PORT"),
    )
    parser.add_argument(
        "--console-http",
        type=host_port,
        metavar="HOST:PORT",
        help=_(
            "serve the staff console at /console on HOST:PORT, apart from the public pages so that neither can"
            " starve the other (the hall's LAN, or its proxy; default: $HALL_CONSOLE_HTTP); needs --console-broker"
        ),
        default=os.environ.get("HALL_CONSOLE_HTTP"),  # a string default goes through host_port too
    )
    parser.add_argument(
        "--console-broker",
        metavar="URL",
        help=_(
            "the broker account of its own the staff console acts through (a staff account;"
            " mqtt[s]://console:pass@host:port, default: $HALL_CONSOLE_BROKER); needs --console-http"
        ),
        default=os.environ.get("HALL_CONSOLE_BROKER"),
    )
    parser.add_argument(
        "--users",
        metavar="FILE",
        help=_("the console's users file, written by `hall user` (default: users.sqlite3 beside --state)"),
    )
    parser.add_argument(
        "--roster",
        metavar="FILE",
        default=os.environ.get("HALL_ROSTER"),
        help=_(
            "the broker's roster (as for `hall broker-config`): what each staff account acts for, a window or the"
            " office, by which the service decides what every command may do (default: $HALL_ROSTER); without it,"
            " on a broker with accounts, only numbers and case lookups are taken"
        ),
    )
    parser.add_argument(
        "--proxies",
        type=whole_number,
        choices=range(6),
        default=0,
        metavar="N",
        help=_(
            "reverse proxies in front of --http and --console-http that add X-Forwarded-For and -Proto (the"
            " hall's nginx: 1), so that each phone and each staff browser is counted as itself, not the proxy, and"
            " the console's cookies are Secure behind TLS; 0 (default): none, the headers are ignored"
        ),
    )
    parser.add_argument(
        "--proxy-address",
        default="127.0.0.1",
        metavar="ADDR",
        help=_(
            "the address the nearest proxy connects from (default: 127.0.0.1); the headers of any other are ignored"
        ),
    )
    parser.add_argument(
        "--public-url",
        type=public_url,
        metavar="URL",
        help=_("where phones reach those pages (default: public_url in centre.yaml); the QR codes use it"),
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
        proxy_address=args.proxy_address,
        public_url=args.public_url,
        console_broker=broker(args.console_broker) if args.console_broker else None,
        console_http=args.console_http,
        users=Path(args.users) if args.users else None,
        roster=Path(args.roster) if args.roster else None,
    )
    try:
        hall = build_hall(options)
    except HallError as exc:
        print(_("{command}: {why}").format(command="hall serve", why=exc), file=sys.stderr)
        return exc.code
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: hall.request_stop())
    hall.start()
    try:
        hall.wait()
    finally:
        code = hall.stop()
    return code
