"""LED text: fonts and their coverage, the replacement box, fitting rules, sanitising, ticker crops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from led_driver.fonts import FONTS, Font, FontError, clusters, default_font_dirs, find_font_file
from led_driver.text import (
    KEPT_TILES,
    MAX_TICKER_CHARS,
    TILE_PX,
    TickerStrip,
    load_font,
    paginate,
    render_line,
    sanitize,
    shorten,
    wrap,
)

SENTENCE = (
    "各位群众请注意：本中心实行首问负责、限时办结和一次性告知制度，"
    "即办件当场办结，承诺件在承诺时限内办结；如需代办，请到综合窗口登记，"
    "村（社区）代办员将全程帮您办理。咨询电话：023-12345678。"
)
EXT_G = "\U00031350"  # CJK Extension G: in no font of the chain yet, so it is drawn as the box
HOSTILE = [
    "𠮷",
    EXT_G,
    "😀",
    "\ue000",
    "\U0010ffff",
    "\ud842",
    "e\u0301",
    "👨\u200d👩\u200d👧",
    "🇨🇳",
    "a" + "\u0301" * 500,
]


@pytest.fixture
def unifont() -> Font:
    return load_font("unifont", 16)


@pytest.fixture
def microhei() -> Font:
    return load_font("wqy-microhei", 32)


def pixels(image: Image.Image) -> set[int]:
    return set(image.convert("L").tobytes())


def box(width: int, height: int) -> bytes:
    """The replacement box at 16 px: a hollow rectangle one pixel inside the cell."""
    right, bottom = width - 2, height - 2
    return bytes(
        255 if (x in (1, right) and 1 <= y <= bottom) or (y in (1, bottom) and 1 <= x <= right) else 0
        for y in range(height)
        for x in range(width)
    )


# -- fonts ----------------------------------------------------------------------------------------


def test_unifont_renders_16px_hanzi_without_antialiasing(unifont: Font) -> None:
    assert unifont.bitmap and unifont.line_height == 16
    assert unifont.text_width("中") == 16 and unifont.text_width("A") == 8
    assert render_line("中", unifont).size == (16, 16)

    grey = render_line("请A012号到3号窗口", unifont)
    assert grey.size == (16 * 6 + 8 * 5, 16)
    assert pixels(grey) == {0, 255}
    mono = render_line("请A012号到3号窗口", unifont, 1, "1")
    assert mono.mode == "1" and mono.convert("L").tobytes() == grey.tobytes()


def test_outline_font_is_antialiased_except_on_mono_images(microhei: Font) -> None:
    assert not microhei.bitmap
    assert len(pixels(render_line("办事指南", microhei))) > 2
    assert pixels(render_line("办事指南", microhei, 1, "1")) == {0, 255}


def test_glyph_coverage_of_each_face(unifont: Font) -> None:
    assert [face.getname()[0] for face in unifont.faces] == ["Unifont", "Unifont Upper", "HanaMinB"]
    assert unifont.has_glyph("中") and unifont.has_glyph("㐀")  # CJK Extension A
    assert unifont.has_glyph("😀")  # from unifont_upper
    assert unifont.has_glyph("𠮷") and unifont.glyphs("𠮷")[0].face == 2  # Extension B, from Hanazono
    assert not unifont.has_glyph(EXT_G) and not unifont.has_glyph("\ue000")
    assert unifont.has_glyph("\x01")  # Unifont draws control pictures; render_line shows a space instead

    path = find_font_file(FONTS["wqy-microhei"].primary, default_font_dirs())
    assert path is not None
    alone = Font([ImageFont.truetype(str(path), 32, layout_engine=ImageFont.Layout.BASIC)])
    assert alone.has_glyph("中") and alone.has_glyph("\ufffd")
    assert not alone.has_glyph("𠮷") and not alone.has_glyph("😀") and not alone.has_glyph("\x01")
    with pytest.raises(ValueError):
        unifont.has_glyph("中文")


CJK_BLOCKS = "张鿏㐀䶵𠮷𡋗𠀀𪜀𫝀𫠠𬺰·—①，。、（）《》“”…Ａ１％"
"""A character of each CJK block from the URO to Extension F, and the punctuation of Chinese text."""


@pytest.mark.parametrize("key", ["unifont", "wqy-microhei"])
def test_every_cjk_block_a_hall_uses_is_drawn(key: str) -> None:
    font = load_font(key, FONTS[key].native_size or 32)
    assert [g.text for g in font.glyphs(CJK_BLOCKS) if g.replaced] == []


def test_missing_characters_draw_a_hollow_box(unifont: Font) -> None:
    wide = render_line(EXT_G, unifont)
    assert wide.size == (16, 16) and wide.tobytes() == box(16, 16)
    narrow = render_line("\ue000", unifont)
    assert narrow.size == (8, 16) and narrow.tobytes() == box(8, 16)
    assert render_line("\ud842", unifont).tobytes() == box(8, 16)  # a lone surrogate from JSON

    emoji = render_line("😀", unifont)
    assert emoji.width == 16 and emoji.getbbox() is not None and emoji.tobytes() != box(16, 16)
    assert unifont.glyphs("😀")[0].face == 1


def test_hostile_characters_never_crash(unifont: Font, microhei: Font) -> None:
    for font in (unifont, microhei):
        for text in HOSTILE:
            assert render_line(text, font).getbbox() is not None, text
            assert font.text_width(shorten(text, font, 20)) <= 20
            assert wrap(text * 10, font, 64, 2)


def test_controls_and_line_breaks_render_as_spaces(unifont: Font) -> None:
    assert render_line("a\x01b\nc\td\u2028e", unifont).tobytes() == render_line("a b c d e", unifont).tobytes()
    assert render_line("", unifont).size == (0, 16)


def test_clusters_keep_marks_joiners_and_flags_together() -> None:
    assert list(clusters("e\u0301x")) == ["e\u0301", "x"]
    assert list(clusters("👍🏻👨\u200d👩 🇨🇳🇺")) == ["👍🏻", "👨\u200d👩", " ", "🇨🇳", "🇺"]
    assert list(clusters("a\u200bb\ufeff")) == ["a", "b"]  # invisible format characters go
    assert len(next(clusters("a" + "\u0301" * 1000))) <= 16


# -- fitting --------------------------------------------------------------------------------------


def test_shorten_fits_the_width_and_cuts_whole_clusters(unifont: Font) -> None:
    text = "请A012号 e\u0301𠮷😀 到3号窗口办理"
    parts = [glyph.text for glyph in unifont.glyphs(text)]
    heads = {"".join(parts[:k]).rstrip() for k in range(len(parts) + 1)}
    full = unifont.text_width(text)
    for width in range(full + 10):
        fitted = shorten(text, unifont, width)
        assert render_line(fitted, unifont).width <= width
        if width >= full:
            assert fitted == text
        elif width < unifont.text_width("…"):
            assert fitted == ""
        else:
            assert fitted.endswith("…") and fitted[:-1] in heads
    assert shorten(text, unifont, 40) == "请A0…"


def test_wrap_breaks_chinese_anywhere_but_before_closing_punctuation(unifont: Font) -> None:
    lines = wrap(SENTENCE, unifont, 192, 100)
    assert "".join(lines) == SENTENCE
    assert all(unifont.text_width(line) <= 192 for line in lines)
    assert all(unifont.text_width(line) > 192 - 32 for line in lines[:-1])
    assert not any(line[0] in "，。、；：）" for line in lines)

    three = wrap(SENTENCE, unifont, 192, 3)
    assert three[:2] == lines[:2] and three[2].endswith("…") and unifont.text_width(three[2]) <= 192


def test_wrap_latin_at_spaces_and_lines_at_line_breaks(unifont: Font) -> None:
    assert wrap("Please take a number and wait", unifont, 96, 10) == ["Please take", "a number and", "wait"]
    assert wrap("第一行\n\n第二行\n", unifont, 96, 10) == ["第一行", "", "第二行"]
    assert wrap("第一行\n\n第二行\n第三行", unifont, 96, 2) == ["第一行", "第二行 第三…"]
    assert wrap("x" * 40, unifont, 96, 2) == ["x" * 12, "x" * 11 + "…"]
    assert wrap("中文", unifont, 10, 3) == ["…"]  # not even one hanzi fits
    assert wrap("  \n ", unifont, 96, 3) == [] and wrap("中", unifont, 96, 0) == []


def test_paginate_leaves_nothing_out_and_marks_every_page_but_the_last(unifont: Font) -> None:
    for rows in (1, 2, 3):
        pages = paginate(SENTENCE, unifont, 192, rows)
        assert len(pages) > 1 and all(1 <= len(page) <= rows for page in pages)
        assert all(unifont.text_width(line) <= 192 for page in pages for line in page)
        assert all(page[-1].endswith("…") and len(page) == rows for page in pages[:-1])
        assert not pages[-1][-1].endswith("…")
        shown = [
            line.removesuffix("…") if i == len(page) - 1 else line for page in pages[:-1] for i, line in enumerate(page)
        ]
        assert "".join(shown + pages[-1]) == SENTENCE
        assert not any(line[0] in "，。、；：）" for page in pages for line in page)
    assert paginate("中文", unifont, 96, 2) == [["中文"]]  # it fits: one page, no …


def test_paginate_latin_line_breaks_and_what_cannot_fit(unifont: Font) -> None:
    assert paginate("Please take a number and wait", unifont, 96, 2) == [["Please take", "a number…"], ["and wait"]]
    # A page starts with text, not with the blank line of a paragraph break.
    assert paginate("第一行\n\n第二行\n第三行", unifont, 96, 2) == [["第一行", "…"], ["第二行", "第三行"]]
    assert paginate("中文", unifont, 10, 3) == [["中", "文"]]  # wider than the line: one a line, still moving on
    assert paginate("  \n ", unifont, 96, 3) == [] and paginate("中", unifont, 96, 0) == []


def test_paginate_keeps_a_heading_with_its_first_line(unifont: Font) -> None:
    guide = "收费：免费\n材料：\n身份证原件\n户口簿"
    # Without keep, the heading 材料： ends the first page and its list starts the next.
    assert paginate(guide, unifont, 96, 2) == [["收费：免费", "材料：…"], ["身份证原件", "户口簿"]]
    assert paginate(guide, unifont, 96, 2, keep={1}) == [["收费：免费…"], ["材料：", "身份证原件…"], ["户口簿"]]
    # Where the heading is not last on its page, nothing changes.
    assert paginate(guide, unifont, 96, 3, keep={1}) == paginate(guide, unifont, 96, 3)
    # The line before it ends the page with its mark, cut again to leave the mark its room.
    long = "地点：一号窗口综合受理处\n材料：\n身份证\n户口簿"
    assert paginate(long, unifont, 96, 3, keep={1}) == [
        ["地点：一号窗", "口综合受理…"],
        ["处", "材料：", "身份证…"],
        ["户口簿"],
    ]
    # A page of one line has nowhere to keep it.
    assert paginate(guide, unifont, 96, 1, keep={1})[1] == ["材料：…"]


# -- payload text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, ""),
        (12, "12"),
        (3.5, "3.5"),
        ([1, 2], ""),
        ({"text": "x"}, ""),
        (b"bytes", ""),
        (10**5000, ""),  # more digits than Python will print
        ("a\tb\x00c\r\nd\re\x7f", "a b c\nd\ne "),
        ("\ud842x", "\ufffdx"),
        ("请到3号窗口", "请到3号窗口"),
    ],
    ids=["none", "bool", "int", "float", "list", "dict", "bytes", "huge-int", "controls", "surrogate", "hanzi"],
)
def test_sanitize(value: object, expected: str) -> None:
    assert sanitize(value) == expected


def test_sanitize_cuts_huge_text_before_layout(unifont: Font) -> None:
    huge = "𠮷😀中" * 350_000  # 1 MB and more
    assert sanitize(huge) == huge[:2000]
    assert sanitize(huge, max_chars=5) == huge[:5]
    lines = wrap(sanitize(huge), unifont, 192, 4)
    assert len(lines) == 4 and lines[-1].endswith("…")


# -- ticker ---------------------------------------------------------------------------------------


def tiled(image: Image.Image, times: int) -> Image.Image:
    strip = Image.new(image.mode, (image.width * times, image.height))
    for i in range(times):
        strip.paste(image, (i * image.width, 0))
    return strip


def test_ticker_frames_are_crops_of_one_render(unifont: Font) -> None:
    ticker = TickerStrip("请A012号到3号窗口", unifont, 255, "L", 0, gap="　　")
    cycle = render_line("请A012号到3号窗口　　", unifont)
    assert ticker.period == cycle.width and ticker.height == 16
    reference = tiled(cycle, 3)
    for offset in range(0, 2 * ticker.period, 7):
        x = offset % ticker.period
        assert ticker.frame(offset, 64).tobytes() == reference.crop((x, 0, x + 64, 16)).tobytes(), offset


def test_ticker_wraps_around_seamlessly(unifont: Font) -> None:
    ticker = TickerStrip("中", unifont, (255, 0, 0), "RGB", (0, 0, 0), gap=" ")  # shorter than the frame
    assert ticker.period == 24
    reference = tiled(ticker.cycle, 12)
    for offset in (-1, 0, 5, 23, 24, 25, 1000):
        x = offset % 24
        frame = ticker.frame(offset, 192)
        assert frame.size == (192, 16) and frame.mode == "RGB"
        assert frame.tobytes() == reference.crop((x, 0, x + 192, 16)).tobytes(), offset
    assert ticker.frame(24 + 3, 192).tobytes() == ticker.frame(3, 192).tobytes()
    assert TickerStrip("", unifont, gap="").frame(3, 10).size == (10, 16)


def test_a_long_ticker_is_drawn_in_tiles_that_match_one_render(unifont: Font) -> None:
    text = "请A012号到3号窗口办理。𠮷𡋗 " * 40  # about nine tiles at 16 px
    ticker = TickerStrip(text, unifont, 255, "L", 0, gap="　　")
    one = render_line(text + "　　", unifont)
    assert ticker.period == one.width > 8 * TILE_PX
    reference = tiled(one, 2)
    seams = [x for k in range(1, 9) for x in (k * TILE_PX - 17, k * TILE_PX - 1, k * TILE_PX, k * TILE_PX + 3)]
    for offset in [0, 1, *seams, ticker.period - 100, ticker.period - 1, ticker.period, -5]:
        x = offset % ticker.period
        assert ticker.frame(offset, 192).tobytes() == reference.crop((x, 0, x + 192, 16)).tobytes(), offset
    assert len(ticker._drawn) <= KEPT_TILES


def test_a_hostile_ticker_costs_a_few_tiles_not_its_length(unifont: Font) -> None:
    ticker = TickerStrip("长" * 1_000_000, unifont, (255, 255, 0), "RGB", (0, 0, 0))
    assert ticker.period <= (MAX_TICKER_CHARS + 3) * 16  # cut before any layout
    for offset in range(0, ticker.period, ticker.period // 50):
        assert ticker.frame(offset, 1920).size == (1920, 16)
    assert len(ticker._drawn) <= KEPT_TILES
    assert all(tile.width <= TILE_PX + 16 for tile in ticker._drawn.values())


# -- loading --------------------------------------------------------------------------------------


def test_fonts_are_loaded_once(unifont: Font) -> None:
    assert load_font("unifont", 16) is unifont
    assert load_font("unifont", 32).line_height == 32


def test_unknown_font_key() -> None:
    with pytest.raises(FontError, match=r"没有字体 'nope'：可用的字体有 unifont, wqy-microhei"):
        load_font("nope", 16)


def test_bitmap_font_only_at_multiples_of_its_size() -> None:
    with pytest.raises(FontError, match="是 16 像素的点阵字体"):
        load_font("unifont", 24)


@pytest.mark.parametrize(("key", "package"), [("unifont", "fonts-unifont"), ("wqy-microhei", "fonts-wqy-microhei")])
def test_missing_font_file_says_where_and_what_to_install(key: str, package: str, tmp_path: Path) -> None:
    with pytest.raises(FontError) as error:
        load_font(key, 16, search_dirs=[tmp_path])
    message = str(error.value)
    assert repr(key) in message and str(tmp_path) in message and f"apt-get install {package}" in message


def test_search_dirs_and_optional_fallbacks(tmp_path: Path) -> None:
    path = find_font_file(FONTS["unifont"].primary, default_font_dirs())
    assert path is not None
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "unifont.otf").symlink_to(path)
    font = load_font("unifont", 16, search_dirs=[tmp_path])
    assert len(font.faces) == 1  # no unifont_upper here: emoji fall back to the box
    assert font.glyphs("😀")[0].replaced and font.glyphs("中")[0].face == 0

    dirs = default_font_dirs({"HALL_FONT_DIRS": f"/opt/a{os.pathsep}/opt/b"})
    assert dirs[:2] == (Path("/opt/a"), Path("/opt/b")) and dirs[-1] == Path("/usr/share/fonts")


def test_names_that_share_a_beginning_stay_distinguishable(unifont: Font) -> None:
    from led_driver.text import distinct

    names = ["社会保障服务窗口（养老）", "社会保障服务窗口（医疗）", "社会保障服务窗口（医疗）", "民政"]
    shown = distinct(names, unifont, 100)
    assert all(unifont.text_width(s) <= 100 for s in shown)
    assert shown[0] != shown[1] and shown[1] == shown[2] and shown[3] == "民政"
    assert shown[0].startswith("社") and shown[0].endswith("（养老）") and "…" in shown[0]
    assert unifont.text_width(shown[0]) == unifont.text_width(shown[1])
    # names that differ early keep their plain shortening
    assert distinct(["综合窗口一二三四五六", "社保窗口一二三四五六"], unifont, 100) == [
        shorten("综合窗口一二三四五六", unifont, 100),
        shorten("社保窗口一二三四五六", unifont, 100),
    ]


def test_similar_names_keep_the_whole_part_that_tells_them_apart_at_one_length(unifont: Font) -> None:
    from led_driver.text import distinct

    shown = distinct(["综合受理窗口（一）", "综合受理窗口（二）"], unifont, 100)
    assert shown == ["综合…（一）", "综合…（二）"]  # not 综合受理窗…一）: a stray character
    long = ["社会保障服务窗口（城乡居民养老保险）", "社会保障服务窗口（城乡居民医疗保险）"]
    shown = distinct(long, unifont, 120)
    assert shown[0].endswith("养老保险）") and shown[1].endswith("医疗保险）")
    assert len({unifont.text_width(label) for label in shown}) == 1 and all("…" in label for label in shown)
    # One that is the beginning of the other still shows its own end.
    shown = distinct(["税务窗口一二三四五六七", "税务窗口一二三四五六七八"], unifont, 100)
    assert shown[0] != shown[1] and all(unifont.text_width(label) <= 100 for label in shown)


def test_a_dot_joined_name_is_kept_whole_or_left_out(unifont: Font) -> None:
    staff = "阿依古丽·买买提 窗口工作人员"
    assert shorten(staff, unifont, 150) == "阿依古丽·买买提…"
    assert shorten(staff, unifont, 120) == "阿依古丽…"  # the name alone is too long: cut at its dot
    assert shorten("受理人 阿依古丽·买买提", unifont, 120) == "受理人…"
    assert shorten("综合受理窗口（全科无差别受理·一窗通办）", unifont, 160) == "综合受理窗口…"
    # Clusters stay whole: a surrogate pair, a combining mark, an emoji sequence are never cut inside.
    for cluster in ("𠮷", "e\u0301", "👨\u200d👩\u200d👧", "🇨🇳"):
        for width in range(8, 80, 4):
            cut = shorten(cluster * 6, unifont, width)
            assert cut.removesuffix("…").replace(cluster, "") == "", (cluster, width, cut)


def test_clause_pages_end_after_a_clause(unifont: Font) -> None:
    reason = "系统升级，暂停受理，请到1号窗口办理"
    assert paginate(reason, unifont, 192, 1, clauses=True) == [["系统升级，暂停受理，…"], ["请到1号窗口办理"]]
    assert paginate(reason, unifont, 192, 1)[0] == ["系统升级，暂停受理，请…"]  # without: cut inside where to go
