"""A synthetic centre with a large catalog, for benchmarks: the sample centre with N items.

Items are variations of the sample's real items (their text, documents and limits), so that
sizes, search and rendering behave like real content, not like random strings. It replaces only a
directory it wrote itself (one holding its MARKER file): never an installer's real content.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import yaml

from content.shared.catalog import domain

_ = domain("centre").gettext

SAMPLE = Path(__file__).parent / "samples" / "weicheng"
_VARIANTS = ("", "变更", "注销", "补办", "延续", "查询", "年审", "迁入", "迁出", "更正", "备案", "复核")
_PLACES = ("", "（城镇）", "（农村）", "（异地）", "（代办）", "（网上预审）")
ITEMS_PER_FILE = 250
MARKER = ".hall-synth"
"""The file in every directory written here; only a directory that holds it is replaced."""
_MARKER_TEXT = "written by `hall synth` (content.centre.synth); running it again replaces this directory\n"


def _base_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in sorted((SAMPLE / "items").glob("*.yaml")):
        items += yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    return items


def synthetic_items(count: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    base = _base_items()
    items = []
    for index in range(count):
        item = dict(base[index % len(base)])
        variant = _VARIANTS[(index // len(base)) % len(_VARIANTS)]
        place = _PLACES[(index // (len(base) * len(_VARIANTS))) % len(_PLACES)]
        item["id"] = f"{item['id']}-{index:05d}"
        item["name"] = f"{item['name']}{variant}{place}"
        documents = list(item["documents"])
        rng.shuffle(documents)
        item["documents"] = documents
        items.append(item)
    return items


def write_synthetic_centre(out: Path, count: int, seed: int = 1) -> None:
    """Write the sample centre with `count` synthetic items to `out`: a new or empty directory, or one
    written here before, which is replaced. Anything else is refused with nothing touched:
    FileExistsError for a directory with other files in it, NotADirectoryError for a file."""
    claim_directory(out)
    shutil.copytree(SAMPLE, out, ignore=shutil.ignore_patterns("items"), dirs_exist_ok=True)
    numbers_at_any_hour(out)
    (out / "items").mkdir()
    items = synthetic_items(count, seed)
    for start in range(0, count, ITEMS_PER_FILE):
        chunk = items[start : start + ITEMS_PER_FILE]
        path = out / "items" / f"part-{start // ITEMS_PER_FILE:03d}.yaml"
        path.write_text(yaml.safe_dump({"items": chunk}, allow_unicode=True, sort_keys=False), encoding="utf-8")


def numbers_at_any_hour(centre_dir: Path) -> None:
    """Let a copy of the sample take numbers at any hour (`queue.issue_any_time`), so that it can be tried
    whenever one is at the keyboard; the sample itself keeps to its hours."""
    path = centre_dir / "centre.yaml"
    text = path.read_text(encoding="utf-8")
    if "issue_any_time" not in text:
        path.write_text(text.replace("queue:\n", "queue:\n  issue_any_time: true\n", 1), encoding="utf-8")


LIFTED = 100_000
"""The per-account limits of a copy made for measuring throughput (`lift_limits`)."""


def lift_limits(centre_dir: Path) -> None:
    """Lift a copy's per-account limits (`queue.tickets_per_minute`, `rates`) to `LIFTED`, for a benchmark
    in which one account sends what a whole hall would: it measures the service, not the limits."""
    path = centre_dir / "centre.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.setdefault("queue", {})["tickets_per_minute"] = LIFTED
    data["rates"] = dict.fromkeys(("call", "window", "staff", "announce", "case", "ask", "ticket", "all"), LIFTED)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def claim_directory(out: Path) -> None:
    """Make `out` an empty directory marked as written here: refused (FileExistsError, NotADirectoryError)
    when it holds anything that was not written here."""
    _make_room(out)
    out.mkdir(parents=True, exist_ok=True)
    # The marker goes first, so that a run cut short leaves a directory the next run may replace.
    (out / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def _make_room(out: Path) -> None:
    if out.is_dir():
        if (out / MARKER).is_file():
            shutil.rmtree(out)
        elif any(out.iterdir()):
            raise FileExistsError(
                _(
                    "{out} is not empty and was not written by hall synth (it has no {marker} file): "
                    "choose a new or empty directory; nothing in it was changed"
                ).format(out=out, marker=MARKER)
            )
    elif out.exists() or out.is_symlink():
        raise NotADirectoryError(_("{out} is a file, not a directory: choose a new or empty directory").format(out=out))
