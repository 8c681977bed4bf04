"""`hall kiosk`: the touchscreen on the bus, or a tour of every screen into PNG files."""

from __future__ import annotations

import argparse
import logging
import os
import re
import socket
import sys
from pathlib import Path

from content.shared.broker_url import BrokerUrl
from content.shared.transport import DEVICE_KEEPALIVE_S, keepalive_seconds
from kiosk.viewmodel import ATTRACT_AFTER_S, IDLE_TIMEOUT_S
from kiosk.words import _

log = logging.getLogger("hall.kiosk")
SIZE = re.compile(r"^(\d{3,5})x(\d{3,5})$")
CONTENT_TIMEOUT_S = 30.0


class KioskUsageError(Exception):
    """Bad arguments for `hall kiosk`."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", help=_("mqtt[s]://user:pass@host:port (default: $HALL_BROKER)"))
    parser.add_argument("--centre", help=_("centre id (default: $HALL_CENTRE)"))
    parser.add_argument("--device-id", help=_("this kiosk's id (default: the broker user name)"))
    parser.add_argument("--cache", metavar="DIR", help=_("last good content (default: var/kiosk-cache/DEVICE)"))
    parser.add_argument(
        "--keepalive",
        type=keepalive_seconds,
        default=DEVICE_KEEPALIVE_S,
        metavar="S",
        help=_(
            "ping the broker after S seconds of silence; with the link cut, the broker marks this kiosk lost "
            "after 1.5 x S (default {seconds})"
        ).format(seconds=DEVICE_KEEPALIVE_S),
    )
    parser.add_argument("--fullscreen", action="store_true", help=_("cover the whole screen"))
    parser.add_argument("--size", default="1080x1920", metavar="WxH", help=_("window size (default 1080x1920)"))
    parser.add_argument(
        "--screenshots",
        metavar="DIR",
        help=_(
            "walk every screen, write one PNG per screen into DIR, and exit (non-zero if no content arrives); "
            "it changes nothing in the hall: the ticket screen shows a sample number marked as such, and no number "
            "is taken"
        ),
    )
    parser.add_argument(
        "--idle",
        type=seconds,
        default=IDLE_TIMEOUT_S,
        metavar="S",
        help=_("back to home, in normal text, after S seconds without a touch (default {seconds})").format(
            seconds=f"{IDLE_TIMEOUT_S:g}"
        ),
    )
    parser.add_argument(
        "--attract-after",
        type=seconds,
        default=ATTRACT_AFTER_S,
        metavar="S",
        help=_(
            "show featured guides and announcements in turn after S seconds untouched on home (default {seconds})"
        ).format(seconds=f"{ATTRACT_AFTER_S:g}"),
    )
    parser.add_argument(
        "--content-timeout",
        type=seconds,
        default=CONTENT_TIMEOUT_S,
        metavar="S",
        help=_("with --screenshots: give up when no content arrives in S seconds (default {seconds})").format(
            seconds=f"{CONTENT_TIMEOUT_S:g}"
        ),
    )


def seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0 (and at most a day)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a number of seconds").format(text=text)) from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(_("{text!r}: give seconds above 0 and at most 86400").format(text=text))
    return value


def parse_size(text: str) -> tuple[int, int]:
    match = SIZE.match(text)
    if match is None:
        raise KioskUsageError(_("--size {text!r}: give WIDTHxHEIGHT, e.g. 1080x1920").format(text=text))
    return int(match[1]), int(match[2])


def configure_kivy(size: tuple[int, int], fullscreen: bool) -> None:
    """Before any Kivy window exists: no Kivy argument parsing, its logs through Python's, the size."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "MIXED")
    from kivy.config import Config

    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")  # a touchscreen shows no pointer
    Config.set("kivy", "exit_on_escape", "0")
    # Kivy's loop wakes at its frame rate whatever is scheduled: 30 is as often as anything on a kiosk
    # moves (the ticker's steps), and halves what it costs at rest.
    Config.set("graphics", "maxfps", "30")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def run(args: argparse.Namespace, broker: BrokerUrl, centre: str) -> int:
    size = parse_size(args.size)
    device_id = args.device_id or broker.username or f"kiosk-{socket.gethostname()}"
    cache = Path(args.cache) if args.cache else Path("var") / "kiosk-cache" / device_id
    configure_kivy(size, args.fullscreen)
    # Imported here: `hall --help` and the other subcommands need no Kivy.
    from kiosk.app import KioskApp
    from kiosk.device import KioskLink

    link = KioskLink(broker, centre, device_id=device_id, cache_dir=cache, keepalive=args.keepalive)
    app = KioskApp(link, idle_timeout_s=args.idle, attract_after_s=args.attract_after)
    if args.screenshots:
        from kiosk.screenshots import ScreenshotTour

        ScreenshotTour(app, Path(args.screenshots), content_timeout_s=args.content_timeout).schedule()
    app.run()
    if app.exit_code:
        print(_("hall kiosk: {message}").format(message=app.exit_message), file=sys.stderr)
    return int(app.exit_code)


def main(argv: list[str] | None = None) -> int:
    """A small entry point for tests and tools: `python -m kiosk.cli --broker URL --centre ID ...`."""
    from content.shared.broker_url import BrokerUrlError, broker_from
    from content.shared.catalog import translate_argparse

    translate_argparse()  # usage:, the arguments are required…: argparse's own sentences in the hall's language
    parser = argparse.ArgumentParser(prog="hall kiosk")
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    centre = args.centre or os.environ.get("HALL_CENTRE")
    if not centre:
        parser.error(_("no centre: pass --centre ID or set HALL_CENTRE"))
    try:
        broker = broker_from(args.broker)
        return run(args, broker, centre)
    except (BrokerUrlError, KioskUsageError) as exc:
        parser.error(str(exc))


if __name__ == "__main__":
    sys.exit(main())
