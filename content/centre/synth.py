"""A synthetic centre with a large catalog, for benchmarks: the sample centre with N items.

Items are variations of the sample's real items (their text, documents and limits), so that
sizes, search and rendering behave like real content, not like random strings.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import yaml

SAMPLE = Path(__file__).parent / "samples" / "weicheng"
_VARIANTS = ("", "变更", "注销", "补办", "延续", "查询", "年审", "迁入", "迁出", "更正", "备案", "复核")
_PLACES = ("", "（城镇）", "（农村）", "（异地）", "（代办）", "（网上预审）")
ITEMS_PER_FILE = 250


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
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(SAMPLE, out, ignore=shutil.ignore_patterns("items"))
    (out / "items").mkdir()
    items = synthetic_items(count, seed)
    for start in range(0, count, ITEMS_PER_FILE):
        chunk = items[start : start + ITEMS_PER_FILE]
        path = out / "items" / f"part-{start // ITEMS_PER_FILE:03d}.yaml"
        path.write_text(yaml.safe_dump({"items": chunk}, allow_unicode=True, sort_keys=False), encoding="utf-8")
