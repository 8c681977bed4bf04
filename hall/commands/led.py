"""`hall led`: drive one LED display from the broker (the LED part: Pillow, no Kivy, no web stack)."""

from __future__ import annotations

import argparse

from content.shared.catalog import N_
from hall.options import UsageError, broker, centre
from hall.parts import require

HELP = N_("drive an LED display from the broker")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from led_driver.cli import add_arguments as add_led_arguments

    add_led_arguments(parser)


def run(args: argparse.Namespace) -> int:
    require("led")
    from led_driver.cli import LedUsageError
    from led_driver.cli import run as run_led

    try:
        return run_led(args, broker(args.broker), centre(args))
    except LedUsageError as exc:
        raise UsageError(str(exc)) from None
