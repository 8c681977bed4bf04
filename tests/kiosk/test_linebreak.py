"""Chinese line breaking (kiosk.linebreak): the rules on a fake measure, then KLabel and KButton in Kivy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.linebreak import CLOSING, OPENING, wrap
from tests.kiosk.probes import command
from tests.kiosk.test_app import _kiosk, xvfb  # noqa: F401 (xvfb: a fixture, for the Kivy test)

EMERGENCY = "请有序从东门离开，听从工作人员指引。"
GUIDE_ROW = "社会保障卡 — 复印件1份（养老金发放到本人社会保障卡）"


def measure(line: str) -> float:
    """A hanzi (or any other non-ASCII character) is 1 wide, an ASCII character 0.5."""
    return sum(0.5 if char.isascii() else 1 for char in line)


def lines(text: str, width: float, how: Callable[[str], float] = measure) -> list[str]:
    return wrap(text, width, how).split("\n")


def assert_fits(result: list[str], width: float) -> None:
    for line in result:
        assert measure(line) <= width, result


# -- the rules


def test_hanzi_fill_the_line_and_break_anywhere_between_them() -> None:
    assert lines("一二三四五六七八九十", 4) == ["一二三四", "五六七八", "九十"]
    assert lines("一二三四五六七八九十", 4.5) == ["一二三四", "五六七八", "九十"]


def test_a_full_stop_never_starts_a_line_the_character_before_it_comes_along() -> None:
    # at 17 every character but "。" fits on the first line
    assert measure(EMERGENCY[:-1]) == 17
    # "引" comes along, and then "指" too: a last line of one hanzi and its 。 is a lone hanzi
    assert lines(EMERGENCY, 17) == ["请有序从东门离开，听从工作人员", "指引。"]
    assert lines(EMERGENCY, 18) == [EMERGENCY]


def test_a_comma_never_starts_a_line() -> None:
    # at 8 the first line would end at "开" and the next start with "，"
    assert lines(EMERGENCY, 8) == ["请有序从东门离", "开，听从工作人员", "指引。"]


def test_closing_and_opening_brackets_stay_with_their_text() -> None:
    result = lines(GUIDE_ROW, 12)
    assert result == ["社会保障卡 — 复印件1份", "（养老金发放到本人社会保", "障卡）"]
    # where "（" would end the first line, it goes down with "养"
    assert lines("复印件1份（养老金发放到本人社会保障卡）", 5.5) == [
        "复印件1份",
        "（养老金发",
        "放到本人社",
        "会保障卡）",
    ]
    for width in (3, 4, 5, 6, 7, 8, 9, 10, 11, 13):
        result = lines(GUIDE_ROW, width)
        assert_fits(result, width)
        assert not any(line[0] in CLOSING for line in result), (width, result)
        assert not any(line[-1] in OPENING for line in result), (width, result)


def test_every_closing_mark_is_kept_off_the_start_of_a_line() -> None:
    for mark in "，。、；：！？）》」』】〕〉”’…—·%,.;:!?)]}":
        text = "一二三" + mark + "四五"
        result = lines(text, 3)
        assert result[1][0] not in CLOSING, (mark, result)
        assert result[0] == "一二", (mark, result)


def test_every_opening_mark_is_kept_off_the_end_of_a_line() -> None:
    for mark in "（《「『【〔〈“‘([{":
        text = "一二" + mark + "三四五"
        result = lines(text, 3)
        assert result[0] == "一二", (mark, result)
        assert result[1].startswith(mark + "三"), (mark, result)


def test_runs_of_closing_marks_go_down_together() -> None:
    assert lines("他说：“好的。”然后", 5) == ["他说：“好", "的。”然后"]
    assert lines("一二三四。”", 4) == ["一二", "三四。”"]  # and no lone 四


def test_double_dashes_and_ellipses_stay_together() -> None:
    assert lines("一二——三四", 3) == ["一", "二——", "三四"]
    assert lines("一二……三四", 3) == ["一", "二……", "三四"]


def test_phone_numbers_times_and_ticket_numbers_stay_whole() -> None:
    assert lines("咨询电话0816-2731008，谢谢", 7.5) == ["咨询电话", "0816-2731008，", "谢谢"]
    assert lines("办理时间09:00-12:00", 7) == ["办理时间", "09:00-12:00"]
    assert lines("请A005号到3号窗口", 2.5) == ["请", "A005", "号到", "3号窗", "口"]
    assert lines("pinyin Weicheng Zhen", 5) == ["pinyin", "Weicheng", "Zhen"]


def test_a_run_wider_than_the_line_is_broken_by_character() -> None:
    url = "https://zwfw.example.cn/guide/0816"
    result = lines("网址：" + url, 6)
    assert result[0] == "网址："
    assert "".join(result[1:]) == url
    assert all(measure(line) == 6 for line in result[1:-1]), result
    assert_fits(result, 6)


def test_a_unit_wider_than_the_line_is_broken_and_nothing_is_lost() -> None:
    assert lines("（养）", 1) == ["（", "养", "）"]
    assert lines("一二三", 0.5) == ["一", "二", "三"]  # one character a line, however narrow
    assert wrap("abc", 0.1, measure) == "a\nb\nc"


def test_spaces_at_a_break_are_dropped_and_others_kept() -> None:
    assert lines("1. 身份证原件", 4) == ["1. 身份", "证原件"]
    assert lines("Zhang  San", 3) == ["Zhang", "San"]
    assert lines("  缩进的段落", 3.5) == ["  缩进", "的段落"]
    assert lines("一二 三四 ", 2) == ["一二", "三四"]  # trailing spaces at a break
    assert lines("一二 ", 5) == ["一二 "]
    assert lines("一二 ）", 2.5) == ["一", "二 ）"]  # no break before a closing mark, spaces or not


def test_paragraphs_are_kept_and_wrapped_each_on_its_own() -> None:
    assert lines("一二三\n四五六七\n\n八", 3) == ["一二三", "四五", "六七", "", "八"]
    assert wrap("一二\n", 3, measure) == "一二\n"


def test_a_paragraph_does_not_end_in_a_lone_hanzi() -> None:
    assert lines("搜索事项", 3) == ["搜索", "事项"]
    assert lines("发放到本人社会保障卡）", 9) == ["发放到本人社会保", "障卡）"]
    assert lines("请到窗口取号。", 5) == ["请到窗口", "取号。"]
    text = "服务暂时无法连接，请稍后再试或到综合窗口取号"
    assert lines(text, 7) == ["服务暂时无法连", "接，请稍后再试", "或到综合窗口", "取号"]
    assert lines("一二三四五", 4) == ["一二三", "四五"]
    assert lines("一二三", 2) == ["一二", "三"]  # the line before has no piece to spare
    assert lines("电话 0816 号", 5) == ["电话 0816", "号"]  # not across a space: it would join two words
    assert lines("一二三四五六七八九", 4) == ["一二三四", "五六七", "八九"]


def test_a_number_keeps_the_unit_written_after_it() -> None:
    assert lines("各1份原件", 2) == ["各", "1份", "原件"]
    assert lines("年满60周岁", 4) == ["年满", "60周岁"]
    assert lines("满 60 岁", 3) == ["满 60", "岁"]  # a space is still a break


def test_a_name_joined_by_a_dot_stays_whole() -> None:
    # before: 阿依古丽·买 / 买提, the name cut where the line was full
    assert lines("值班：阿依古丽·买买提、宋吉祥", 10) == ["值班：", "阿依古丽·买买提、宋", "吉祥"]
    assert lines("阿依古丽·买买提", 8) == ["阿依古丽·买买提"]
    assert lines("张磊、阿依古丽・买买提", 9) == ["张磊、", "阿依古丽・买买提"]


def test_a_name_wider_than_the_line_breaks_after_its_dot() -> None:
    assert lines("值班：阿依古丽·买买提、宋吉祥", 6) == ["值班：", "阿依古丽·", "买买提、宋", "吉祥"]
    assert lines("阿依古丽·买买提", 3) == ["阿依古", "丽·", "买买提"]  # and a part wider still, as prose


def test_a_long_run_joined_by_a_dot_is_prose_not_a_name() -> None:
    text = "党群服务中心暨政务服务中心·政务服务综合体便民服务中心"
    assert lines(text, 12) == ["党群服务中心暨政务服务中", "心·政务服务综合体便民服", "务中心"]


def test_with_words_a_list_of_names_breaks_only_between_names() -> None:
    names = "何志强、赵国平、宋𠮷祥"
    assert lines(names, 6) == ["何志强、赵国", "平、宋𠮷祥"]  # prose: anywhere between hanzi
    assert wrap(names, 6, measure, words=True).split("\n") == ["何志强、", "赵国平、", "宋𠮷祥"]
    assert wrap("阿依古丽·买买提、何志强", 9, measure, words=True).split("\n") == ["阿依古丽·买买提、", "何志强"]
    assert wrap("欧阳𠮷祥", 2, measure, words=True).split("\n") == ["欧阳", "𠮷祥"]  # wider than the line


def test_nothing_to_do() -> None:
    assert wrap("", 10, measure) == ""
    assert wrap("一二三四", 0, measure) == "一二三四"
    assert wrap("一二三四", -5, measure) == "一二三四"
    assert wrap("   ", 1, measure) == "   "
    assert wrap(EMERGENCY, 100, measure) == EMERGENCY


def test_whole_lines_are_measured_not_summed_characters() -> None:
    seen: list[str] = []

    def kerned(line: str) -> float:
        seen.append(line)
        return max(len(line) - 1, 0)  # a line is one narrower than its characters

    assert lines("一二三四五六七八", 3, kerned) == ["一二三四", "五六七八"]
    assert "一二三四" in seen


def test_one_measure_per_segment_or_so() -> None:
    calls = 0

    def counting(line: str) -> float:
        nonlocal calls
        calls += 1
        return measure(line)

    text = EMERGENCY * 20
    wrap(text, 12, counting)
    assert calls <= 2 * len(text)


def test_marks_stay_on_their_base_character() -> None:
    assert lines("e\u0301e\u0301e\u0301", 1) == ["e\u0301"] * 3
    assert lines("一\u0301二三", 1) == ["一\u0301", "二", "三"]


def assert_rejoins(text: str, result: str) -> None:
    """`result` is `text` with line breaks added, where a break may take the place of spaces."""
    at = 0
    for number, line in enumerate(result.split("\n")):
        if number:
            after_spaces = len(text) - len(text[at:].lstrip(" "))
            at = after_spaces + 1 if text[after_spaces : after_spaces + 1] == "\n" else after_spaces
        assert text.startswith(line, at), (text, result, number)
        at += len(line)
    assert not text[at:].strip(" "), (text, result)


CORPUS = [
    EMERGENCY,
    GUIDE_ROW,
    "大厅临时停电，请有序从东门离开。咨询电话：0816-2731008（工作日09:00-12:00）。",
    "1. 居民身份证原件及复印件1份；2. 户口簿（首页及本人页）——须本人到场……",
    "A005号请到3号窗口 办理；See https://zwfw.example.cn/a/b?c=d 获取「办事指南」。",
    "  前面有空格   中间也有  ，后面还有  ",
    "第一段。\n第二段（含括号）。\n\n第四段",
    "今日值班：阿依古丽·买买提、宋𠮷祥（代岗）",
]


@pytest.mark.parametrize("text", CORPUS)
def test_only_line_breaks_are_added_and_only_spaces_at_them_dropped(text: str) -> None:
    for tenths in range(5, 400, 5):
        width = tenths / 10
        result = wrap(text, width, measure)
        assert result.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
        assert result.count("\n") >= text.count("\n")
        for line in result.split("\n"):
            if measure(line) > width:  # only a single character may overflow
                assert len(line.strip(" ")) == 1, (width, line)
        assert_rejoins(text, result)


@pytest.mark.parametrize("text", CORPUS)
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(text: str) -> None:
    for width in range(16, 40):  # narrower, the URL alone is wider than the line
        for line in wrap(text, width, measure).split("\n")[1:]:
            assert not line or line[0] not in CLOSING, (width, line)
        for line in wrap(text, width, measure).split("\n"):
            assert not line or line.rstrip(" ")[-1:] not in OPENING, (width, line)


# -- in Kivy, under Xvfb


def test_klabel_and_kbutton_keep_punctuation_off_the_start_of_a_line(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    display: str = request.getfixturevalue("xvfb")
    done = _kiosk(display, command("linebreak", EMERGENCY), tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    probe = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("PROBE "))[6:])
    assert probe["naive"] == [EMERGENCY[:-1], "。"]  # what Kivy does on its own
    for name in ("label", "button"):
        shown = probe[name]
        assert shown["text"] == EMERGENCY, name  # the widget's text is as set
        assert shown["lines"] == [EMERGENCY[:-3], EMERGENCY[-3:]], (name, shown)


def test_klabel_and_kbutton_keep_a_dot_joined_name_whole(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """One character narrower than the text: Kivy alone, and the old wrap, put 提 (or 买提) on a line of its
    own, cutting the name; now the whole name goes down."""
    display: str = request.getfixturevalue("xvfb")
    text = "今日值班：阿依古丽·买买提"
    done = _kiosk(display, command("linebreak", text), tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    probe = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("PROBE "))[6:])
    assert probe["naive"] == [text[:-1], "提"]
    for name in ("label", "button"):
        assert probe[name]["lines"] == ["今日值班：", "阿依古丽·买买提"], (name, probe[name])
