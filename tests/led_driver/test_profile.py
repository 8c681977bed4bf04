from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest

from led_driver.profile import find_profile, load_profile, shipped
from led_driver.voice import chime, fresh


def test_every_shipped_profile_is_valid() -> None:
    assert set(shipped()) >= {"wall-1920x1080", "wall-768x384", "window-192x64", "strip-128x32"}
    for name in shipped():
        profile, problems = load_profile(find_profile(name))
        assert profile is not None, problems
    strip, _ = load_profile(find_profile("strip-128x32"))
    assert strip is not None and strip.colour_mode == "mono"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """name: 测试屏
size: [192, 64]
colour_mode: {mode}
font: {{font: unifont, size: 16}}
colours: {{background: "#000000", text: "{text}"}}
zones:
  - {{kind: {kind}, box: [{box}]{extra}}}
"""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"box": "0, 0, 300, 16"},
            r"p\.yaml:\d+: 第 1 个区域（ticker）的位置 \[0, 0, 300, 16\] 超出了 192×64 的显示屏",
        ),
        ({"kind": "marquee"}, r"p\.yaml:7: “kind”只能是 .+ 之一，现在是 'marquee'"),
        ({"mode": "dual", "text": "#0000ff"}, r"双色屏只能显示红、绿、黄三种颜色：#0000ff"),
        ({"text": "red"}, r"p\.yaml:5: “text”的格式不对：'red'"),
        ({"extra": ", speed: 3"}, r"p\.yaml:7: 没有“speed”这个键"),
        ({"box": "0, 0, 0, 16"}, r"区域的宽和高必须大于 0"),
    ],
)
def test_bad_profiles_name_file_and_line(tmp_path: Path, fields: dict[str, str], message: str) -> None:
    values = {"mode": "rgb", "text": "#ffffff", "kind": "ticker", "box": "0, 0, 192, 16", "extra": ""} | fields
    profile, problems = load_profile(_write(tmp_path, BASE.format(**values)))
    assert profile is None
    assert any(re.search(message, str(p)) for p in problems), [str(p) for p in problems]


def test_brightness_by_time_of_day() -> None:
    profile, _ = load_profile(find_profile("window-192x64"))
    assert profile is not None
    assert profile.brightness_at(time(6, 0)) == 50  # before the first start: the last one, from the evening
    assert profile.brightness_at(time(7, 0)) == 100
    assert profile.brightness_at(time(18, 30)) == 50


def test_voice_drops_calls_that_waited_too_long() -> None:
    assert fresh(queued_at=100.0, now=105.0, max_wait_s=10)
    assert not fresh(queued_at=100.0, now=110.5, max_wait_s=10)
    wav = chime()
    assert wav[:4] == b"RIFF" and len(wav) > 10000


def test_voice_speaks_through_espeak_ng(tmp_path: Path) -> None:
    import shutil

    from led_driver.voice import Voice

    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed: run the tests through scripts/dev test")
    played = tmp_path / "played.wav"
    voice = Voice(player=("sh", "-c", f"cat >> {played}"), max_wait_s=60)
    voice.say("请A012号到3号窗口办理")
    voice.close()  # waits until what was queued is spoken
    assert voice.spoken == ["请A012号到3号窗口办理"]
    # The chime, then the speech: two WAV files one after the other.
    assert played.read_bytes().count(b"RIFF") == 2 and played.stat().st_size > 50_000
