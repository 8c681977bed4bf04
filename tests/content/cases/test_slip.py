"""The acceptance slip: both layouts as PNG and PDF, the QR code scans back to the link, long lists flow
onto further pages, rare hanzi come from a face that has them, bad input and layouts are refused."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from content.cases.slip import (
    MAX_DOCUMENTS,
    SlipView,
    cmap,
    font_chain,
    render_pages,
    split_runs,
    write_slip,
)
from content.shared.fonts import FontChain, FontError
from tests.modes import open_umask, watch_secrets

URL = "http://127.0.0.1:8080/t/WC-261203-0007?k=abcDEF123_-x"
VIEW = SlipView(
    centre="绵阳市游仙区魏城镇便民服务中心",
    number="WC-261203-0007",
    item="城乡居民基本养老保险参保登记",
    opened="2026年12月3日 09:30",
    received_at="村（社区）便民服务站 · 白蝉村 李𠮷祥",
    applicant="张*",
    promised="2026年12月10日前办结（承诺 5 个工作日）",
    received_docs=("居民身份证 原件及复印件 1份", "户口簿 原件"),
    missing_docs=("银行卡（存折）复印件 1份",),
    phones=(("代办员 李𠮷祥", "138 0000 1234"), ("咨询电话", "0816-2345678")),
    url=URL,
    notes=(
        "扫码查询办理进度；查看详情需输入申请人手机号后四位。",
        "请妥善保管本回执，凭回执取件。",
        "打印时间 2026年12月3日",
    ),
)


def _qr_text(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image)]


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


def _ink_width(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Width of the dark pixels inside `box`."""
    found = Image.eval(image.convert("L").crop(box), lambda v: 255 - v).getbbox()
    assert found is not None
    return found[2] - found[0]


def test_a4_png_is_one_a4_page_whose_qr_code_reads_back_the_link(tmp_path: Path) -> None:
    out = tmp_path / "slip.png"
    assert write_slip(VIEW, out, "a4") == [out]
    with Image.open(out) as image:
        assert image.size == (1240, 1754)
        assert _qr_text(image) == [URL]
        # the code itself (its modules, not the quiet zone) is at least 35 mm at 150 dpi
        assert _ink_width(image, (700, 250, 1240, 620)) >= 207
    assert not (tmp_path / "slip-2.png").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["slip.png"]  # no temporary file left


def test_receipt_png_is_576_px_one_bit_and_its_qr_code_is_at_least_35_mm(tmp_path: Path) -> None:
    out = tmp_path / "receipt.png"
    write_slip(VIEW, out, "receipt")
    with Image.open(out) as image:
        image.load()
    assert image.mode == "1"
    assert image.width == 576
    assert 800 < image.height < 3000  # as tall as its content
    assert _qr_text(image) == [URL]
    pages = render_pages(VIEW, "receipt")
    assert len(pages) == 1
    # the QR code is the widest dark block of the lower half: at least 280 px (35 mm at 203 dpi)
    assert _ink_width(pages[0], (0, pages[0].height // 2, 576, pages[0].height - 300)) >= 280


@pytest.mark.parametrize(("layout", "size"), [("a4", (1240, 1754)), ("receipt", None)])
def test_pdf_in_both_layouts(tmp_path: Path, layout: str, size: tuple[int, int] | None) -> None:
    out = tmp_path / f"{layout}.pdf"
    write_slip(VIEW, out, layout)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert _pdf_pages(data) == 1
    pages = render_pages(VIEW, layout)
    assert len(pages) == 1
    if size is not None:
        assert pages[0].size == size
    else:
        assert pages[0].width == 576


LONG_NAME = "不动产权属证明材料" * 111 + "甲"  # 1,000 characters, no space to break at


def test_long_lists_flow_onto_further_pages_never_cut(tmp_path: Path) -> None:
    missing = (*(f"补正材料第{n}项 复印件 1份" for n in range(1, 60)), LONG_NAME)
    view = dataclasses.replace(VIEW, missing_docs=missing)
    assert len(LONG_NAME) == 1000
    pages = render_pages(view, "a4")
    assert len(pages) > 1
    assert all(page.size == (1240, 1754) for page in pages)
    out = tmp_path / "long.png"
    written = write_slip(view, out, "a4")
    assert written == [out, *(tmp_path / f"long-{n}.png" for n in range(2, len(pages) + 1))]
    # nothing is drawn into the side margins: every line was wrapped inside them
    for page in pages:
        assert Image.eval(page.crop((0, 0, 100, 1754)), lambda v: 255 - v).getbbox() is None
        assert Image.eval(page.crop((1140, 0, 1240, 1754)), lambda v: 255 - v).getbbox() is None
    # a shorter slip written to the same name removes the pages left from the longer one
    assert write_slip(VIEW, out, "a4") == [out]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.png"]

    # the receipt takes the same content in one long strip
    receipt = render_pages(view, "receipt")
    assert len(receipt) == 1
    assert receipt[0].height > 4000
    write_slip(view, tmp_path / "long.pdf", "a4")
    assert _pdf_pages((tmp_path / "long.pdf").read_bytes()) == len(pages)


def test_rare_hanzi_are_drawn_with_a_face_that_has_them() -> None:
    chain = font_chain()
    text = "李𠮷祥 住𡋗村 A1"
    runs = split_runs(text, chain)
    assert "".join(run for _, run in runs) == text
    for face, run in runs:
        for ch in run:
            assert ch.isspace() or ord(ch) in cmap(chain[face]), (ch, chain[face])
    faces = {ch: face for face, run in runs for ch in run}
    assert 0x20BB7 not in cmap(chain[0])  # Micro Hei lacks 𠮷: it comes from a fallback
    assert faces["𠮷"] != 0
    assert faces["𡋗"] != 0
    assert faces["李"] == faces["祥"] == 0


def test_unknown_layout_or_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown slip layout 'a5': use a4 or receipt"):
        write_slip(VIEW, tmp_path / "slip.png", "a5")
    with pytest.raises(ValueError, match=r"use \.pdf or \.png"):
        write_slip(VIEW, tmp_path / "slip.jpg", "a4")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"missing_docs": ("x",) * (MAX_DOCUMENTS + 1)}, "missing_docs"),
        ({"item": "办" * 2001}, "item"),
        ({"received_docs": ("证" * 2001,)}, r"received_docs\[0\]"),
        ({"received_docs": "身份证"}, "received_docs"),
        ({"phones": (("代办员",),)}, r"phones\[0\]"),
        ({"notes": ("x",) * 51}, "notes"),
        ({"url": ""}, "url"),
        ({"number": "WC-" * 30}, "number"),
    ],
)
def test_bad_fields_are_refused_by_name(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}"):
        dataclasses.replace(VIEW, **change)  # type: ignore[arg-type]


def test_the_view_is_frozen_and_keeps_tuples() -> None:
    view = dataclasses.replace(VIEW, received_docs=["a", "b"], phones=[["代办员", "1"]])  # type: ignore[list-item]
    assert view.received_docs == ("a", "b")
    assert view.phones == (("代办员", "1"),)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.number = "x"  # type: ignore[misc]


def test_a_slip_is_its_writers_only_from_its_first_byte(tmp_path: Path) -> None:
    """It holds the applicant's name and the link that follows the case: printed, not shared on the disk."""
    with open_umask(), watch_secrets(tmp_path, "slip.pdf", "slip.png") as watch:
        write_slip(VIEW, tmp_path / "slip.pdf", "receipt")
        write_slip(VIEW, tmp_path / "slip.png", "a4")
    assert watch.leaks == []
    assert watch.seen >= {"slip.pdf", "slip.png"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slip.pdf", "slip.png"]


def test_no_font_to_print_the_slip_is_said_in_chinese(tmp_path: Path) -> None:
    """hall case slip prints why it cannot write the slip: a machine without the CJK font was told in English."""
    with pytest.raises(FileNotFoundError) as none:
        font_chain((tmp_path,))
    assert str(none.value) == (
        f"在 {tmp_path} 中找不到打印回执用的中文字体：请安装 fonts-wqy-microhei（生僻字还需要 fonts-hanazono）"
    )
    with pytest.raises(FontError) as chain:
        FontChain.installed((tmp_path, tmp_path / "more"))
    assert str(chain.value) == f"在 {tmp_path}、{tmp_path / 'more'} 中找不到中文字体：请安装 fonts-wqy-microhei"
