"""The command line of the tests' tours: a Kivy app needs a process of its own, so a test runs a tour as

    python -m tests.kiosk.tours TOUR [--broker URL --centre ID --cache DIR] [--size WxH] [options]

with DISPLAY set (`command()` builds that line); `python -m tests.kiosk.tours --help` lists the tours.
The kiosk is built as `hall kiosk` builds it, or on the sample centre's model without a broker.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.tour import SETTLE_S, Tour
from tests.kiosk.tours.live import (
    AttractTour,
    EmergencyTour,
    FlowTour,
    HomeTour,
    ItemNameTour,
    TicketRetryTour,
    UpdateTour,
)
from tests.kiosk.tours.screens import CaseTour, ScreensTour, ScrollTour, sample_with_an_empty_category
from tests.kiosk.tours.whole import WholeTour, stress_model

MODULE = "tests.kiosk.tours"


def command(tour: str, *args: str) -> list[str]:
    """The command line that runs `tour` with `args` in a process of its own (from the repository)."""
    return [sys.executable, "-m", MODULE, tour, *args]


Make = Callable[[Any, argparse.Namespace], Tour]


def _parser() -> argparse.ArgumentParser:
    kiosk = argparse.ArgumentParser(add_help=False)
    kiosk.add_argument("--broker", help="mqtt://user:pass@host:port; without it, no link (the screens tour)")
    kiosk.add_argument("--centre", default="weicheng")
    kiosk.add_argument("--cache", type=Path, help="the link's cache dir")
    kiosk.add_argument("--size", default="1080x1920", metavar="WxH")
    kiosk.add_argument("--idle", type=float, help="KioskApp's idle_timeout_s")
    kiosk.add_argument("--attract-after", type=float, help="KioskApp's attract_after_s")
    kiosk.add_argument("--attract-slide", type=float, help="KioskApp's attract_slide_s")
    kiosk.add_argument("--timeout", type=float, default=30.0, help="how long a tour waits for what it expects")
    kiosk.add_argument("--stress", action="store_true", help="without a broker: the stress centre's model")

    parser = argparse.ArgumentParser(
        prog=f"python -m {MODULE}", description="Run one of the tests' tours on a kiosk in this process (DISPLAY set)."
    )
    tours = parser.add_subparsers(dest="tour", required=True)

    def tour(name: str, cls: type[Tour], make: Make) -> argparse.ArgumentParser:
        sub = tours.add_parser(name, parents=[kiosk], help=" ".join((cls.__doc__ or "").split()))
        sub.set_defaults(make=make)
        return sub

    tour("flow", FlowTour, lambda app, _: FlowTour(app))
    sub = tour("update", UpdateTour, lambda app, a: UpdateTour(app, a.ticker, a.staff, a.status, a.timeout))
    sub.add_argument("--ticker", required=True, help="the announcement to wait for in the ticker")
    sub.add_argument("--staff", required=True, help="the name on the staff card to wait for")
    sub.add_argument("--status", required=True, help="the status that card must show")
    sub = tour("emergency", EmergencyTour, lambda app, a: EmergencyTour(app, a.text, a.timeout))
    sub.add_argument("--text", required=True)
    sub = tour("home", HomeTour, lambda app, a: HomeTour(app, live=not a.cached, timeout_s=a.timeout))
    sub.add_argument("--cached", action="store_true", help="content from the cache will do (no broker)")
    sub.set_defaults(delay=0)  # the benchmark times it from the start
    sub = tour("item-names", ItemNameTour, lambda app, a: ItemNameTour(app, a.category, a.names, a.timeout))
    sub.add_argument("--category", required=True)
    sub.add_argument("names", nargs="+", help="the item names to wait for, in turn")
    tour("attract", AttractTour, lambda app, a: AttractTour(app, a.timeout))
    sub = tour("ticket-retry", TicketRetryTour, lambda app, a: TicketRetryTour(app, a.category, a.timeout, shot=a.shot))
    sub.add_argument("--category", required=True)
    sub.add_argument("--shot", type=Path, help="where to save the screen with the 重试 button")
    sub = tour("screens", ScreensTour, lambda app, a: ScreensTour(app, a.out))
    sub.add_argument("--out", type=Path, required=True)
    tour("scroll", ScrollTour, lambda app, _: ScrollTour(app))
    sub = tour("whole", WholeTour, lambda app, a: WholeTour(app, a.out, a.tag, a.large))
    sub.add_argument("--out", type=Path, required=True)
    sub.add_argument("--tag", required=True, help="the screenshots' names end with it")
    sub.add_argument("--large", action="store_true", help="in large text")
    sub = tour("case", CaseTour, lambda app, a: CaseTour(app, a.number, a.out, a.tag, a.timeout))
    sub.add_argument("--number", required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub.add_argument("--tag", required=True, help="the screenshots' names start with it")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse, build the kiosk as `hall kiosk` does (or on the sample model, without a broker), run the
    tour, and exit with the app's code."""
    args = _parser().parse_args(argv)
    from kiosk.cli import configure_kivy, parse_size

    configure_kivy(parse_size(args.size), False)
    from content.shared.broker_url import parse_broker_url
    from kiosk.app import KioskApp
    from kiosk.device import KioskLink

    options = {
        name: value
        for name, value in (
            ("idle_timeout_s", args.idle),
            ("attract_after_s", args.attract_after),
            ("attract_slide_s", args.attract_slide),
        )
        if value is not None
    }
    if args.broker:
        cache = args.cache or Path("var") / "kiosk-cache" / "kiosk-1"
        link = KioskLink(parse_broker_url(args.broker), args.centre, device_id="kiosk-1", cache_dir=cache)
        app = KioskApp(link, **options)
    else:
        model = stress_model() if args.stress else sample_with_an_empty_category()
        app = KioskApp(model=model, **options)
    made: Tour = args.make(app, args)
    made.schedule(getattr(args, "delay", SETTLE_S))
    app.run()
    return int(app.exit_code)
