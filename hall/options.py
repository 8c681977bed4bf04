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


def centre(args: argparse.Namespace) -> str:
    """The centre of a command: --centre, else $HALL_CENTRE."""
    from content.shared.contract import CENTRE_ID

    given = args.centre or os.environ.get(CENTRE_ENV)
    if not given:
        raise UsageError(f"no centre: pass --centre ID or set {CENTRE_ENV} (e.g. weicheng)")
    if not CENTRE_ID.match(given):
        raise UsageError(f"centre id {given!r} must be lowercase latin letters, digits and '-'")
    return str(given)


def broker(url: str | None) -> BrokerUrl:
    """A broker URL option (None: $HALL_BROKER) as a BrokerUrl; a bad one is a usage error."""
    try:
        return broker_from(url)
    except BrokerUrlError as exc:
        raise UsageError(str(exc)) from None


def add_remote(parser: argparse.ArgumentParser) -> None:
    """The options of a command that asks the service over the broker."""
    parser.add_argument("--broker", help="mqtt[s]://user:pass@host:port (default: $HALL_BROKER)")
    parser.add_argument("--centre", help=f"centre id (default: ${CENTRE_ENV})")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the reply (default 10)")


def send(args: argparse.Namespace, verb: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """Send `verb` to the service and wait for its reply; None, with `hall VERB: why` on stderr, when refused."""
    from content.shared.client import CommandFailed, send_command

    url = broker(args.broker)
    try:
        return send_command(url, centre(args), verb, payload, timeout=args.timeout)
    except CommandFailed as exc:
        print(f"hall {verb}: {exc}", file=sys.stderr)
        return None
