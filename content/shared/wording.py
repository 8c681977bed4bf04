"""The words people read, shared by every surface that shows them: the kiosk, the LED displays and the
public pages. Pure functions over plain values; the standard library only, so devices may import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from content.shared.refusals import sentence
from content.shared.when import WEEK, Session

TIER_NAMES: Final = {"village": "村(社区)代办点", "township": "乡镇(街道)便民服务中心", "district": "区政务服务中心"}
AGENT_HEADINGS: Final = {"village": "村(社区)代办员", "township": "乡镇(街道)代办员", "district": "区级代办员"}
"""The proxy agents (代办员) of each tier, under their heading, in this order (三级代理)."""
OTHER_AGENTS: Final = "其他代办员"
"""Agents whose tier is none of those."""
STATUS_NAMES: Final = {"on_duty": "在岗", "away": "暂离", "off": "下班", "leave": "请假"}
PRIORITY_NAMES: Final = {
    "elderly": "老年人",
    "disabled": "残疾人",
    "pregnant": "孕妇",
    "military": "军人",
    "appointment": "预约",
}
DAY_NAMES: Final = {
    "mon": "周一",
    "tue": "周二",
    "wed": "周三",
    "thu": "周四",
    "fri": "周五",
    "sat": "周六",
    "sun": "周日",
}
_WEEK: Final = WEEK
FORMS: Final = {"original": "原件", "copy": "复印件", "original_and_copy": "原件和复印件"}
PERMISSION_NAMES: Final = {
    "view": "查看大厅情况",
    "call": "叫号",
    "window": "暂停或恢复窗口",
    "status": "设置在岗状态",
    "announce": "发布公告",
    "approve": "审核公告",
    "cases": "办理办件",
    "personal": "查看申请人的姓名和手机号",
    "users": "管理账号",
    "audit": "查看操作记录",
}
"""What each right of `content.accounts.users.may` lets one do, as a refusal names it (没有权限审核公告)."""


def format_days(days: tuple[str, ...]) -> str:
    """mon…fri → 周一至周五; mon, wed → 周一、周三; every day → 每天."""
    known = sorted({d for d in days if d in DAY_NAMES}, key=_WEEK.index)
    if len(known) == 7:
        return "每天"
    runs: list[list[str]] = []
    for day in known:
        if runs and _WEEK.index(day) == _WEEK.index(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}至{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return "、".join(parts)


def format_hours(sessions: Iterable[Session]) -> tuple[str, ...]:
    """One line per set of days, its sessions in order: 周一至周五 09:00–12:00、14:00–17:30."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for session in sessions:
        grouped.setdefault(session.days, []).append(f"{session.open}–{session.close}")
    return tuple(f"{format_days(days)} {'、'.join(spans)}" for days, spans in grouped.items() if format_days(days))


def format_limits(instant: bool, legal: int | None, promised: int | None, proxy: int | None) -> str:
    if instant:
        text = "即办件，当场办结"
    elif promised is not None:
        text = f"承诺 {promised} 个工作日"
        if legal:
            text += f"（法定 {legal} 个工作日）"
    elif legal is not None:
        text = f"法定 {legal} 个工作日"
    else:
        text = ""
    if proxy is not None:
        text = f"{text}；代办 {proxy} 个工作日" if text else f"代办 {proxy} 个工作日"
    return text


def format_document(name: str, form: str, copies: int | None, note: str) -> str:
    """居民身份证 — 原件和复印件各1份; 照片 — 原件3份; a note in brackets."""
    kind = FORMS.get(form, "")
    if kind and copies:
        amount = f"{kind}各{copies}份" if form == "original_and_copy" else f"{kind}{copies}份"
    else:
        amount = kind
    text = f"{name} — {amount}" if amount else name
    return f"{text}（{note}）" if note else text


@dataclass(frozen=True)
class Section:
    """One part of a printed guide (办事指南): a title and its lines."""

    title: str
    lines: tuple[str, ...]
    checklist: bool = False
    """Required documents: each line a box to tick."""
    phone: bool = False
    """The line is a phone number."""


def guide_sections(
    *,
    windows: Iterable[str],
    limits: str,
    fee: str,
    documents: Iterable[str],
    steps: Iterable[str],
    basis: str,
    department: str,
    phone: str,
    tiers: Iterable[str],
    agents: Iterable[str],
) -> tuple[Section, ...]:
    """Every disclosure field of an item, in the order of a printed guide, empty ones left out: the
    kiosk, the guide screen over the comprehensive window and the public page all show this order."""
    sections = (
        Section("办理窗口", _line("、".join(windows))),
        Section("办理时限", _line(limits)),
        Section("收费标准", _line(fee)),
        Section("申请材料", tuple(documents), checklist=True),
        Section("办理流程", tuple(f"{n}. {step}" for n, step in enumerate(steps, 1))),
        Section("办理依据", _line(basis)),
        Section("承办部门", _line(department)),
        Section("咨询电话", _line(phone), phone=True),
        Section("可在以下地点办理", _line("、".join(tiers))),
        Section(AGENT_HEADINGS["village"], tuple(agents)),
    )
    return tuple(section for section in sections if section.lines)


def _line(text: str) -> tuple[str, ...]:
    return (text,) if text else ()


def opens_today(at: str) -> str:
    """When the hall opens again today, as a display says it outside the hours: 今天 14:00 开始办理."""
    return f"今天 {at} 开始办理"


def numbers_closed(starts: str | None) -> str:
    """Why no number can be taken now, and when one can: 现在不能取号，今天 08:30 开始取号。 The service's
    refusal of a number says the same (`refusals`)."""
    return sentence("numbers_not_yet", starts=starts) if starts else sentence("numbers_over")


def empty_category_notice(window: str = "", number: int | None = None, hotline: str = "") -> str:
    """What a category without items says instead of an empty list, and where to ask: the comprehensive
    window (its name and number) and the centre's hotline, each left out when unknown.
    本类事项暂未上线。请到 1 号综合窗口咨询，或拨打咨询电话 0816-2731000。"""
    if window:
        ask = f"请到 {number} 号{window}咨询" if number is not None else f"请到{window}咨询"
    else:
        ask = "请向大厅工作人员咨询"
    return f"本类事项暂未上线。{ask}，或拨打咨询电话 {hotline}。" if hotline else f"本类事项暂未上线。{ask}。"
