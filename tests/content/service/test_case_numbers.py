"""New case numbers start with the centre's letters (by default its short name's initials, or
`cases.prefix`); numbers stored under other letters keep working when the letters change."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from content.broker.local import Mosquitto
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from tests.conftest import CENTRE, WAIT_S


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_numbers_take_the_centres_letters_and_old_numbers_stay_found(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    def send(verb: str, args: dict[str, Any]) -> dict[str, Any]:
        return send_command(parse_broker_url(broker.url("staff")), CENTRE, verb, args, timeout=WAIT_S)

    def opened() -> str:
        number: str = send("case_open", {"item": "minzheng-dibao", "at": "township", "window": "zonghe"})["number"]
        return number

    centre, state = sample_dir / "centre.yaml", tmp_path / "numbers.sqlite3"
    _edit(centre, "short_name: 魏城镇便民服务中心", "short_name: 新市镇便民服务中心")
    _edit(centre, "  prefix: WC ", "  # prefix: WC ")
    running = start_service(sample_dir, state)
    first = opened()
    assert re.fullmatch(r"XS-[0-9]{6}-0001", first), first  # 新市 → XS: no letters written, none fixed
    running.stop()

    _edit(centre, "  # prefix: WC ", "  prefix: YXWC ")
    start_service(sample_dir, state)
    second = opened()
    assert re.fullmatch(r"YXWC-[0-9]{6}-0001", second), second
    assert send("case_show", {"case": first})["number"] == first  # stored as it was, found as it is
    assert send("case_show", {"case": first.lower().replace("-", " ")})["number"] == first
    assert {c["number"] for c in send("case_list", {})["cases"]} == {first, second}
