"""`hall led`: drive one display from the broker. Its help and its refusals are in the hall's language (the
catalog's `led` domain), argparse's own sentences too (`translate_argparse`)."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import socket
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from content.shared.catalog import domain, translate_argparse
from content.shared.transport import DEVICE_KEEPALIVE_S, keepalive_seconds
from led_driver.profile import shipped

if TYPE_CHECKING:
    from content.shared.broker_url import BrokerUrl
    from led_driver.profile import Profile

_ = domain("led").gettext
ngettext = domain("led").ngettext
log = logging.getLogger("hall.led")

ENV_WINDOW = "HALL_WINDOW"
WINDOW_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
"""A window id as the centre's content writes one."""


class LedUsageError(Exception):
    """Bad arguments for `hall led`; the message says which and why, in the hall's language. The `hall`
    command prints it and exits 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Before anything parses: argparse's own refusals (a missing --display, an --frames that is no number)
    # are in the hall's language too, and exit 2 as ours do.
    translate_argparse()
    parser.add_argument(
        "--display",
        required=True,
        metavar="PROFILE",
        help=_("a profile YAML file, or a shipped one: {profiles}").format(profiles=", ".join(shipped())),
    )
    parser.add_argument(
        "--output",
        required=True,
        metavar="SPEC",
        help=_("where the frames go: {outputs}").format(
            outputs="png:DIR, gif:FILE, window, ddp://HOST[:PORT], e131://HOST?universe=N, rgbmatrix, null"
        ),
    )
    parser.add_argument("--broker", help=_("mqtt[s]://user:pass@host:port (default: $HALL_BROKER)"))
    parser.add_argument("--centre", help=_("centre id (default: $HALL_CENTRE)"))
    parser.add_argument("--device-id", help=_("this display's id (default: the broker user name)"))
    parser.add_argument(
        "--window",
        metavar="ID",
        help=_(
            "for a window's own screen (window-192x64): which window it shows, a window id of the centre "
            "(default: ${variable})"
        ).format(variable=ENV_WINDOW),
    )
    parser.add_argument("--cache", metavar="DIR", help=_("last good content (default: var/led-cache/DEVICE)"))
    parser.add_argument(
        "--keepalive",
        type=keepalive_seconds,
        default=DEVICE_KEEPALIVE_S,
        metavar="S",
        help=_(
            "ping the broker after S seconds of silence; with the link cut, the broker marks this display lost "
            "after 1.5 x S (default {seconds})"
        ).format(seconds=DEVICE_KEEPALIVE_S),
    )
    parser.add_argument("--frames", type=int, metavar="N", help=_("stop after N frames"))
    parser.add_argument("--seconds", type=float, metavar="S", help=_("stop after S seconds"))
    parser.add_argument("--voice", action="store_true", help=_("speak calls (espeak-ng) after a chime"))
    parser.add_argument(
        "--voice-max-wait",
        type=float,
        default=10.0,
        metavar="S",
        help=_("drop a call not yet spoken after S seconds (default {seconds})").format(seconds=10),
    )


def load(display: str) -> Profile:
    from led_driver.profile import find_profile, load_profile, shipped

    path = find_profile(display)
    if not path.is_file():
        raise LedUsageError(
            _("No display profile {display}: give a YAML file or one of {profiles}").format(
                display=display, profiles=", ".join(shipped())
            )
        )
    profile, problems = load_profile(path)
    if profile is None:
        said = "\n".join(str(p) for p in problems)
        raise LedUsageError(_("The display profile is not valid:\n{problems}").format(problems=said))
    return profile


def for_window(profile: Profile, display: str, flag: str | None, environ: Mapping[str, str] = os.environ) -> Profile:
    """The profile with the install's window in its window zones; LedUsageError when it needs one and has none,
    or when --window is given to a profile with no window zone to take it."""
    window = flag or environ.get(ENV_WINDOW) or None
    if window is not None and not WINDOW_ID.fullmatch(window):
        raise LedUsageError(
            _(
                "--window {window}: a window id is lower-case letters, digits and '-', as in the centre's content"
            ).format(window=window)
        )
    if profile.needs_window:
        if window is None:
            raise LedUsageError(
                _(
                    "{display} shows one window's screen: say which with --window ID "
                    "(or {variable}=ID in the display's environment file)"
                ).format(display=display, variable=ENV_WINDOW)
            )
        return profile.for_window(window)
    if flag:
        raise LedUsageError(
            _("--window {window}: {display} has no window zone that takes a window").format(
                window=flag, display=display
            )
        )
    return profile


def fonts(profile: Profile) -> None:
    """Every font the profile names, loaded before the first frame: a font that is not installed is refused with
    what to install (LedUsageError), not a traceback from the render loop."""
    from led_driver import render
    from led_driver.fonts import FontError

    for zone in (None, *profile.zones):
        try:
            render.font_of(profile, zone)
        except FontError as exc:
            raise LedUsageError(str(exc)) from None


def run(args: argparse.Namespace, broker: BrokerUrl, centre: str) -> int:
    # Imported here: `hall --help` and the other subcommands need none of the rendering stack.
    from led_driver.device import LedController
    from led_driver.outputs import open_output
    from led_driver.outputs.base import OutputError
    from led_driver.scheduler import Scheduler

    if args.frames is not None and args.frames < 1:
        raise LedUsageError(_("--frames must be at least 1"))
    if args.seconds is not None and args.seconds <= 0:
        raise LedUsageError(_("--seconds must be above 0"))
    profile = for_window(load(args.display), args.display, args.window)
    fonts(profile)
    try:
        output = open_output(args.output)
    except OutputError as exc:
        raise LedUsageError(str(exc)) from None
    device_id = args.device_id or broker.username or f"led-{socket.gethostname()}"
    voice = None
    if args.voice:
        from led_driver.voice import Voice

        try:
            voice = Voice(max_wait_s=args.voice_max_wait)
        except RuntimeError as exc:
            raise LedUsageError(str(exc)) from None

    scheduler = Scheduler(profile, output)
    cache = Path(args.cache) if args.cache else Path("var") / "led-cache" / device_id
    stop = threading.Event()
    refused: list[str] = []
    shown_window = threading.Event()

    def unknown_window(message: str) -> None:
        # Before the display has shown its window this run, a wrong --window is a mistake of the install: stop,
        # so that it is seen at once. Later (the content changed), the screen says so and the display goes on.
        if not shown_window.is_set():
            refused.append(message)
            stop.set()

    windows = profile.windows_named
    controller = LedController(
        broker,
        centre,
        scheduler,
        device_id=device_id,
        cache_dir=cache,
        on_call=voice.say if voice else None,
        keepalive=args.keepalive,
        window=windows[0] if windows else None,
        on_unknown_window=unknown_window,
        on_window_found=shown_window.set,
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        output.open(tuple(profile.size), "1" if profile.colour_mode == "mono" else "RGB")  # type: ignore[arg-type]
    except OutputError as exc:  # no display, no panel driver, a host that does not resolve: say what to do
        if voice is not None:
            voice.close()
        raise LedUsageError(str(exc)) from None
    controller.start()
    log.info(
        _("{display} on {output}, device {device}").format(display=profile.name, output=args.output, device=device_id)
    )
    try:
        shown = scheduler.run(stop, frames=args.frames, seconds=args.seconds)
    finally:
        controller.stop()
        output.close()
        if voice is not None:
            voice.close()
    if refused:
        raise LedUsageError(refused[0])
    log.info(ngettext("Stopped after {count} frame", "Stopped after {count} frames", shown).format(count=shown))
    return 0
