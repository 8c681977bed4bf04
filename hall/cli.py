"""`hall`: the command line for installers and staff; `main` and the table of subcommands.

Each subcommand is a module of hall/commands/ with its parser (`add_arguments`) and its run function (`run`).
Building the parser imports no part a device may lack (Kivy, the web stack, argon2 …): a run function
imports what it needs, and says which extra to install when its part is missing (`hall.parts`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Final, NoReturn

from content.shared.broker_url import redact
from hall.commands import (
    announce,
    broker_config,
    call,
    case,
    check,
    demo,
    kiosk,
    led,
    serve,
    staff,
    stats,
    synth,
    ticket,
    user,
    window,
)
from hall.options import UsageError
from hall.parts import PartMissing

COMMANDS: Final[dict[str, ModuleType]] = {
    "check": check,
    "serve": serve,
    "announce": announce,
    "staff": staff,
    "ticket": ticket,
    "call": call,
    "window": window,
    "stats": stats,
    "case": case,
    "user": user,
    "led": led,
    "kiosk": kiosk,
    "broker-config": broker_config,
    "synth": synth,
    "demo": demo,
}
"""The subcommands in the order `hall --help` lists them; each module has HELP, `add_arguments` and `run`
(and DESCRIPTION where the help needs more than a line)."""

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
    for name, module in COMMANDS.items():
        p = sub.add_parser(name, help=module.HELP, description=getattr(module, "DESCRIPTION", None))
        module.add_arguments(p)
        run: Callable[[argparse.Namespace], int] = module.run
        p.set_defaults(func=run)
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
    except PartMissing as exc:
        print(f"hall {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":
    sys.exit(main())
