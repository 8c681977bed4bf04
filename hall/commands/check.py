"""`hall check`: validate content directories and display profiles, as an installer does before a hall runs them.

Every problem as `file:line: what to do`, in the hall's language; then notices (a text screens will show a page
at a time) and warnings (the sample's address kept in a copy of it), which do not fail the check. Exit 0 when
everything is valid, 1 when a centre or a profile has problems, 2 for bad arguments (a path that is neither a
content directory nor a profile, `--content` that is not a directory, `--window` without `--content`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from content.shared.catalog import N_, domain
from hall.options import UsageError
from hall.parts import require

_ = domain("hall").gettext

HELP = N_("validate content directories and display profiles (.yaml files or shipped names)")
DESCRIPTION = N_(
    "Validate content directories and display profiles. With --content, every window a profile "
    "refers to (and --window's) must be one of that centre's windows."
)
EXIT_CODES = N_(
    "exit codes: 0 valid (warnings and notices do not fail it); 1 problems, each as file:line; 2 bad arguments"
)
_COLOUR_MODES = {"mono": N_("single colour"), "dual": N_("red and green"), "rgb": N_("full colour")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dirs",
        nargs="+",
        metavar="PATH",
        help=_("a content directory, a profile's YAML file, or a shipped profile's name"),
    )
    parser.add_argument("--content", metavar="DIR", help=_("check the profiles' window references against this centre"))
    parser.add_argument(
        "--window", metavar="ID", help=_("the window a window screen's profile will show (hall led --window)")
    )


def _is_profile(path: str) -> bool:
    from led_driver.profile import shipped

    return path.endswith((".yaml", ".yml")) or (path in shipped() and not Path(path).exists())


def _arguments(args: argparse.Namespace) -> None:
    """UsageError (exit 2) for arguments that name nothing to check: a mistyped path is not a centre's problem."""
    if args.window is not None and args.content is None:
        raise UsageError(_("--window is checked against a centre's windows: give --content DIR too"))
    if args.content is not None and not Path(args.content).is_dir():
        raise UsageError(_("--content {path}: no such directory").format(path=args.content))
    for path in args.dirs:
        if _is_profile(path):
            if (path.endswith((".yaml", ".yml")) or Path(path).exists()) and not Path(path).is_file():
                raise UsageError(_("{path}: no such profile file").format(path=path))
        elif not Path(path).exists():
            raise UsageError(_("{path}: no such content directory, profile file or shipped profile").format(path=path))
        elif not Path(path).is_dir():
            raise UsageError(
                _("{path}: neither a content directory nor a profile (a profile is a .yaml file)").format(path=path)
            )


def run(args: argparse.Namespace) -> int:
    _arguments(args)
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
            print(
                _("{path}: cannot check the profiles against it: fix its problems first").format(path=args.content),
                file=sys.stderr,
            )
            return 1
    for directory in args.dirs:
        if _is_profile(directory):
            label = (args.content or "").rstrip("/")
            failed = _check_profile(directory, reference, label, args.window) or failed
        else:
            failed = _check_content(directory) or failed
    return 1 if failed else 0


def _problems(path: str, count: int) -> str:
    return (
        domain("hall")
        .ngettext("{path}: {count} problem", "{path}: {count} problems", count)
        .format(path=path, count=count)
    )


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
        # Warnings and notices, not problems: the hall still runs.
        for warning in result.warnings:
            print(
                _("{place}: warning: {message}").format(place=f"{warning.file}:{warning.line}", message=warning.message)
            )
        for glyphs in uncovered(Path(directory), label, display_fonts()):
            print(glyphs)
        for calendar in calendar_warnings(result.content, datetime.now(UTC).date()):
            print(_("{place}: warning: {message}").format(place=f"{label}/holidays.yaml", message=calendar))
        for notice in result.notices:
            print(_("{place}: notice: {message}").format(place=f"{notice.file}:{notice.line}", message=notice.message))
    if result.content is None or problems:
        print(_problems(directory, len(problems)), file=sys.stderr)
        return True
    print(_("{path}: ok: {summary}").format(path=directory, summary=summary(result.content)))
    return False


def _check_profile(path: str, content: Any, content_label: str, window: str | None) -> bool:
    """Check a display profile, and with `content` every window it refers to; True when it has problems."""
    from led_driver.profile import find_profile, load_profile

    profile, problems = load_profile(find_profile(path))
    for problem in problems:
        print(problem)
    if profile is None:
        print(_problems(path, len(problems)), file=sys.stderr)
        return True
    refs = [*profile.windows_named, *([window] if window and profile.needs_window else [])]
    wrong: list[str] = []
    if content is not None:
        ids = [w.id for w in content.centre.windows]
        wrong = [
            _("{path}: the window '{window}' is not one of {centre}'s windows ({windows})").format(
                path=path, window=ref, centre=content_label, windows=", ".join(ids)
            )
            for ref in dict.fromkeys(refs)
            if ref not in ids
        ]
    for line in wrong:
        print(line)
    if wrong:
        print(_problems(path, len(wrong)), file=sys.stderr)
        return True
    colours = _(_COLOUR_MODES[profile.colour_mode]) if profile.colour_mode in _COLOUR_MODES else profile.colour_mode
    size = f"{profile.size[0]}×{profile.size[1]}"
    if not profile.needs_window:
        said = _("{path}: ok: {name}, {size}, {colours}, {zones} zones")
    elif window:
        said = _("{path}: ok: {name}, {size}, {colours}, {zones} zones, showing window {window}")
    else:
        said = _("{path}: ok: {name}, {size}, {colours}, {zones} zones, showing the window hall led --window names")
    print(
        said.format(path=path, name=profile.name, size=size, colours=colours, zones=len(profile.zones), window=window)
    )
    return False
