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
from content.shared.catalog import domain, translate_argparse
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
from hall.options import UsageError, exit_codes
from hall.parts import PartMissing

_ = domain("hall").gettext
_argparse = domain("argparse").gettext
"""argparse's own sentences (`%(prog)s: error: %(message)s`), which its errors and ours share."""

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
"""The subcommands in the order `hall --help` lists them; each module has HELP (a catalog id, translated here),
`add_arguments` and `run` (and DESCRIPTION where the help needs more than a line, EXIT_CODES where its exit
codes are not those of `hall.options.exit_codes`)."""

MAX_LOG_CHARS = 2000
"""A log line is cut past this: a hostile value logged cannot fill a disk, nor a journal with one line."""


class BoundedLog(logging.Filter):
    """Every log line at most MAX_LOG_CHARS long, and with no broker password in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        if len(message) > MAX_LOG_CHARS:
            message = _("{start}… ({count} characters)").format(start=message[:MAX_LOG_CHARS], count=len(message))
        record.msg, record.args = message, None
        return True


def error_line(prog: str, message: str) -> str:
    """`hall: error: …` in the hall's language, as argparse says its own errors."""
    return _argparse("%(prog)s: error: %(message)s\n") % {"prog": prog, "message": message}


class _Parser(argparse.ArgumentParser):
    """argparse, whose errors never show a broker's password (it repeats what it could not use), and whose
    help ends with the exit codes."""

    def error(self, message: str) -> NoReturn:
        said = redact(message)
        if said != message or "mqtt://" in said or "mqtts://" in said:
            said = _("{error} (options go after the command: hall announce --broker URL TEXT)").format(error=said)
        self.print_usage(sys.stderr)
        self.exit(2, error_line(self.prog, said))


def build_parser() -> argparse.ArgumentParser:
    """The parser of `hall` and its subcommands, in the hall's language (translate_argparse() first)."""
    parser = _Parser(
        prog="hall", description=_("Hall display system: content service and staff tools."), epilog=exit_codes()
    )
    parser.add_argument("-v", "--verbose", action="store_true", help=_("log more"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        description = getattr(module, "DESCRIPTION", None)
        p = sub.add_parser(
            name,
            help=_(module.HELP),
            description=_(description) if description else _(module.HELP),
            epilog=_(module.EXIT_CODES) if hasattr(module, "EXIT_CODES") else exit_codes(),
        )
        module.add_arguments(p)
        run: Callable[[argparse.Namespace], int] = module.run
        p.set_defaults(func=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    translate_argparse()
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
        parser.exit(2, error_line("hall", str(exc)))
    except PartMissing as exc:
        print(_("{command}: {why}").format(command=f"hall {args.command}", why=exc), file=sys.stderr)
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
