"""Files someone put in a device's cache directory: a GiB (sparse, so it costs no disk), a FIFO, a link to
/dev/zero, a link to a document elsewhere, each in place of the cached catalog. The LED controller and the
kiosk each start in a process of their own (tests/fault/cache_probe.py) and show the rest of their cache, the
LED controller a frame of it; their memory stays that of a start from a clean cache. Secrets, whose modes
are watched from the moment they exist, are tested beside their writers (tests/modes.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from content.centre.loader import Content
from content.service import documents
from content.service.live import Live
from content.shared import contract
from kiosk.model import DOCUMENTS
from led_driver.device import CACHED
from tests.conftest import REPO, WAIT_S

pytestmark = pytest.mark.fault

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))
CACHES = {"led": CACHED, "kiosk": DOCUMENTS}
SLACK_KB = 32 * 1024
"""Past a start from a clean cache: a document may be 4 MiB, and one process's RSS differs from another's."""


def _plant_huge(path: Path, _: Path) -> None:
    with open(path, "wb") as out:
        out.truncate(1 << 30)


def _plant_fifo(path: Path, _: Path) -> None:
    os.mkfifo(path)


def _plant_zero(path: Path, _: Path) -> None:
    path.symlink_to("/dev/zero")


def _plant_link(path: Path, elsewhere: Path) -> None:
    """A good catalog, but not the device's own file: a link to it is not followed."""
    path.symlink_to(elsewhere)


ATTACKS: dict[str, Callable[[Path, Path], None]] = {
    "a GiB": _plant_huge,
    "a FIFO": _plant_fifo,
    "a link to /dev/zero": _plant_zero,
    "a link to another file": _plant_link,
}


def _fill(cache: Path, payloads: dict[str, bytes], topics: tuple[str, ...]) -> None:
    cache.mkdir(parents=True)
    for topic in topics:
        if topic in payloads:
            (cache / f"{topic}.json").write_bytes(payloads[topic])


def _start(device: str, cache: Path) -> tuple[list[str] | None, int, str]:
    """The documents the device showed from `cache` (None if it never showed its centre), its peak RSS in
    KiB, and what it logged."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.fault.cache_probe", device, str(cache)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=3 * WAIT_S,  # a guard against a hang, not a measure
        )
    except subprocess.TimeoutExpired as exc:
        return None, 0, f"hung: {exc.stderr!r}"
    if not done.stdout.strip():
        return None, 0, done.stderr
    said = json.loads(done.stdout)
    return said["shown"], said["peak_rss_kb"], done.stderr


@pytest.fixture(scope="module")
def payloads(content: Content) -> dict[str, bytes]:
    docs = documents.all_documents(content, Live(), NOW)
    return {topic: contract.encode(contract.state_document(body, NOW)) for topic, body in docs.items()}


@pytest.fixture(scope="module")
def clean_peak_kb(payloads: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """Each device's peak RSS when it starts from a clean cache, measured the same way."""
    peaks = {}
    for device, topics in CACHES.items():
        cache = tmp_path_factory.mktemp("clean") / device
        _fill(cache, payloads, topics)
        shown, peaks[device], said = _start(device, cache)
        assert shown is not None and "catalog" in shown, said
    return peaks


@pytest.mark.parametrize("device", sorted(CACHES))
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_device_starts_from_the_rest_of_a_cache_someone_tampered_with(
    device: str, attack: str, payloads: dict[str, bytes], clean_peak_kb: dict[str, int], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    topics = CACHES[device]
    _fill(cache, payloads, tuple(t for t in topics if t != "catalog"))
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(payloads["catalog"])
    ATTACKS[attack](cache / "catalog.json", elsewhere)

    shown, peak_kb, said = _start(device, cache)

    assert shown is not None, said
    assert set(shown) == {t for t in topics if t in payloads} - {"catalog"}
    assert peak_kb <= clean_peak_kb[device] + SLACK_KB, (
        f"{peak_kb} KiB against {clean_peak_kb[device]} from a clean cache"
    )
    assert said.count("已忽略缓存的文档 catalog：") == 1, said
