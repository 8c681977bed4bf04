"""`hall kiosk`: the citizens' touchscreen (the kiosk part: Kivy), or a tour of its screens into PNG files."""

from __future__ import annotations

import argparse

from content.shared.catalog import N_
from hall.options import UsageError, broker, centre
from hall.parts import require

HELP = N_("run the touchscreen kiosk (Kivy), or write screenshots of every screen")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kiosk.cli import add_arguments as add_kiosk_arguments

    add_kiosk_arguments(parser)


def run(args: argparse.Namespace) -> int:
    require("kiosk")
    from kiosk.cli import KioskUsageError
    from kiosk.cli import run as run_kiosk

    try:
        return run_kiosk(args, broker(args.broker), centre(args))
    except KioskUsageError as exc:
        raise UsageError(str(exc)) from None
