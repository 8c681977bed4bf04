"""What several `hall` subcommands share: the usage error, option types, the broker and centre of a command,
and sending a command to the service. Light on purpose: every subcommand's parser imports it, on every device.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from content.shared.broker_url import BrokerUrl, BrokerUrlError, broker_from
from content.shared.catalog import domain

_ = domain("hall").gettext

CENTRE_ENV = "HALL_CENTRE"
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


class UsageError(Exception):
    """Bad arguments: printed as `hall: error: …`, exit code 2."""


def exit_codes() -> str:
    """The exit codes, as every command's help ends with them."""
    return _("exit codes: 0 done; 1 refused, failed or no answer; 2 bad arguments")


def parse_duration(text: str) -> int:
    """'30m', '2h', '1h30m', '45s', '1d' → seconds."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise UsageError(_("duration {text!r} should look like 30m, 2h, 1h30m, 45s or 1d").format(text=text))
    days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total <= 0:
        raise UsageError(_("duration {text!r} must be longer than zero").format(text=text))
    return total


def whole_number(text: str) -> int:
    """An argparse type: a whole number (argparse's own error would name Python's `int`)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a whole number").format(text=text)) from None


def seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(_("{text!r}: give seconds above 0").format(text=text))
    return value


def host_port(text: str) -> tuple[str, int]:
    """An argparse type: HOST:PORT ([::1]:8080 for IPv6), the port 0-65535 (0: any free port)."""
    host, sep, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(_("{text!r}: give HOST:PORT, e.g. 127.0.0.1:8080").format(text=text))
    return host, int(port)


def public_url(text: str) -> str:
    """An argparse type: an http(s) address without spaces."""
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", text):
        raise argparse.ArgumentTypeError(
            _("{text!r}: give an http:// or https:// address, e.g. http://hall.example:8080").format(text=text)
        )
    return text.rstrip("/")


def centre(args: argparse.Namespace) -> str:
    """The centre of a command: --centre, else $HALL_CENTRE."""
    from content.shared.contract import CENTRE_ID

    given = args.centre or os.environ.get(CENTRE_ENV)
    if not given:
        raise UsageError(_("no centre: pass --centre ID or set {env} (e.g. weicheng)").format(env=CENTRE_ENV))
    if not CENTRE_ID.match(given):
        raise UsageError(_("centre id {given!r} must be lowercase latin letters, digits and '-'").format(given=given))
    return str(given)


def moment(text: Any) -> str:
    """An ISO time of a reply as people read it: 2026-01-05 09:30 (the text as it is if it is not one)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(text)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(text)


def broker(url: str | None) -> BrokerUrl:
    """A broker URL option (None: $HALL_BROKER) as a BrokerUrl; a bad one is a usage error."""
    try:
        return broker_from(url)
    except BrokerUrlError as exc:
        raise UsageError(str(exc)) from None


def add_remote(parser: argparse.ArgumentParser) -> None:
    """The options of a command that asks the service over the broker."""
    parser.add_argument("--broker", metavar="URL", help=broker_help())
    parser.add_argument("--centre", metavar="ID", help=_("centre id (default: ${env})").format(env=CENTRE_ENV))
    parser.add_argument(
        "--timeout", type=seconds, default=10.0, metavar="SECONDS", help=_("seconds to wait for the reply (default 10)")
    )


def broker_help() -> str:
    return _("mqtt[s]://user:pass@host:port (default: $HALL_BROKER)")


def command_name(args: argparse.Namespace) -> str:
    """The command as it was typed, for the start of what it says: `hall case open`."""
    words = [getattr(args, key, None) for key in ("command", "case_command", "user_command")]
    return " ".join(["hall", *(word for word in words if word)])


def send(args: argparse.Namespace, verb: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """Send `verb` to the service and wait for its reply; None, with `hall COMMAND: why` on stderr, when refused."""
    from content.shared.client import CommandFailed, send_command

    url = broker(args.broker)
    where = centre(args)
    try:
        return send_command(url, where, verb, payload, timeout=args.timeout)
    except CommandFailed as exc:
        print(_("{command}: {why}").format(command=command_name(args), why=exc), file=sys.stderr)
        return None
