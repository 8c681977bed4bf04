"""From the counter to the phone: a case opened and its slip printed with the real CLI against a real
`hall serve --http`, the slip's QR code read by a real decoder, and the link it holds opened in a real
headless Chromium at a phone's width."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from content.broker.local import Mosquitto
from tests.conftest import CENTRE, HALL
from tests.content.web.test_public import _open_in_chromium, served  # noqa: F401  (a fixture)

SHOTS = Path(os.environ.get("HALL_SHOTS", "/tmp/case-e2e"))


def _qr_text(path: Path) -> str:
    found = zxingcpp.read_barcodes(Image.open(path))
    assert len(found) == 1, f"{path}: {len(found)} codes"
    return str(found[0].text)


def test_the_slips_qr_code_opens_the_case_on_a_phone(served: str, broker: Mosquitto, tmp_path: Path) -> None:  # noqa: F811
    env = {"HALL_BROKER": broker.url("staff"), "HALL_CENTRE": CENTRE, "PATH": os.environ.get("PATH", "/usr/bin")}

    def hall(*argv: str) -> str:
        run = subprocess.run([*HALL, "case", *argv], capture_output=True, text=True, env=env, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stdout

    opened = hall(
        "open", "--item", "minzheng-dibao", "--at", "village", "--agent", "a01",
        "--applicant", "张三丰", "--phone", "13812345678", "--received", "《最低生活保障申请书》",
    )  # fmt: skip
    number = opened.strip().splitlines()[-1]
    a4, receipt = tmp_path / "slip.png", tmp_path / "receipt.png"
    assert number in hall("slip", number, "--out", str(a4)) and a4.is_file()  # says which slip it wrote
    hall("slip", number, "--out", str(receipt), "--layout", "receipt")
    hall("slip", number, "--out", str(tmp_path / "slip.pdf"))
    assert (tmp_path / "slip.pdf").read_bytes().startswith(b"%PDF")
    url = _qr_text(a4)
    assert url == _qr_text(receipt)
    assert url.startswith(f"{served}/t/{number}?k=")

    dom = _open_in_chromium(url, tmp_path / "page.png")
    assert number in dom and "最低生活保障申请" in dom and "已收件" in dom and "张**" in dom
    assert "13812345678" not in dom and "张三丰" not in dom
    SHOTS.mkdir(parents=True, exist_ok=True)
    for made in (a4, receipt, tmp_path / "page.png"):
        shutil.copy(made, SHOTS / made.name)

    # The same link with another key, or none, is a case that does not exist.
    bodies = []
    for bad in (url[:-1] + ("A" if url[-1] != "A" else "B"), url.split("?")[0], f"{served}/t/WC-991231-0001?k=x"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=10)
        assert refused.value.code == 404
        bodies.append(refused.value.read())
    assert bodies[0] == bodies[1] == bodies[2]
