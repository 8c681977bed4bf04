"""`hall check`: validate content directories and display profiles, as an installer does before a hall runs them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hall.options import UsageError
from hall.parts import require

HELP = "validate content directories and display profiles (.yaml files or shipped names)"
DESCRIPTION = (
    "Validate content directories and display profiles. With --content, every window a profile "
    "refers to (and --window's) must be one of that centre's windows."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dirs", nargs="+", metavar="PATH")
    parser.add_argument("--content", metavar="DIR", help="check the profiles' window references against this centre")
    parser.add_argument(
        "--window", metavar="ID", help="the window a window screen's profile will show (hall led --window)"
    )


def _is_profile(path: str) -> bool:
    from led_driver.profile import shipped

    return path.endswith((".yaml", ".yml")) or (path in shipped() and not Path(path).exists())


def run(args: argparse.Namespace) -> int:
    # A profile alone is checked on any install (an LED controller checks its own); a centre's content needs
    # the service's part (its documents, calendar and fonts).
    if not all(_is_profile(path) for path in args.dirs):
        require("service")
    from content.centre.loader import load_content

    failed = False
    reference = None
    if args.content is not None:
        loaded = load_content(Path(args.content), label=args.content.rstrip("/"))
        reference = loaded.content
        if reference is None:
            for found in loaded.problems:
                print(found)
            print(f"{args.content}: cannot check the profiles against it: fix its problems first", file=sys.stderr)
            return 1
    elif args.window is not None:
        raise UsageError("--window is checked against a centre's windows: give --content DIR too")
    for directory in args.dirs:
        if _is_profile(directory):
            label = (args.content or "").rstrip("/")
            failed = _check_profile(directory, reference, label, args.window) or failed
        else:
            failed = _check_content(directory) or failed
    return 1 if failed else 0


def _check_content(directory: str) -> bool:
    """Check a centre's content directory; True when it has problems."""
    from datetime import UTC, datetime

    from content.cases.calendar import calendar_warnings
    from content.centre.loader import load_content, summary
    from content.service.documents import oversized
    from hall.glyphs import display_fonts, uncovered

    label = directory.rstrip("/")
    result = load_content(Path(directory), label=label)
    problems = [str(p) for p in result.problems]
    if result.content is not None:
        problems += [f"{label}: {too_large}" for too_large in oversized(result.content, datetime.now(UTC))]
    for problem in problems:
        print(problem)
    if result.content is not None:
        # A warning, not a problem: characters no display font draws; the hall still runs.
        for glyphs in uncovered(Path(directory), label, display_fonts()):
            print(glyphs)
        for warning in calendar_warnings(result.content, datetime.now(UTC).date()):
            print(f"{label}/holidays.yaml: warning: {warning}")
    if result.content is None or problems:
        count = len(problems)
        print(f"{directory}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return True
    print(f"{directory}: ok: {summary(result.content)}")
    return False


def _check_profile(path: str, content: Any, content_label: str, window: str | None) -> bool:
    """Check a display profile, and with `content` every window it refers to; True when it has problems."""
    from led_driver.profile import find_profile, load_profile

    profile, problems = load_profile(find_profile(path))
    for problem in problems:
        print(problem)
    if profile is None:
        print(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}", file=sys.stderr)
        return True
    refs = [*profile.windows_named, *([window] if window and profile.needs_window else [])]
    wrong: list[str] = []
    if content is not None:
        ids = [w.id for w in content.centre.windows]
        wrong = [
            f"{path}: window {ref!r} is not one of {content_label}'s windows ({', '.join(ids)})"
            for ref in dict.fromkeys(refs)
            if ref not in ids
        ]
    for line in wrong:
        print(line)
    if wrong:
        print(f"{path}: {len(wrong)} problem{'s' if len(wrong) != 1 else ''}", file=sys.stderr)
        return True
    shows = ""
    if profile.needs_window:
        shows = f", showing window {window}" if window else ", showing the window `hall led --window` names"
    print(
        f"{path}: ok: {profile.name}, {profile.size[0]}×{profile.size[1]} {profile.colour_mode}, "
        f"{len(profile.zones)} zones{shows}"
    )
    return False
