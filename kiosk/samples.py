"""The made-up ticket, case and emergency that the screenshots show instead of real ones.

The ticket screenshot shows a sample number (marked 样例 on screen) and the case screenshot a sample
case: taking a real number would put it in the queue and in the statistics. The emergency is added
to the model for its one picture (`with_emergency`, through `KioskApp.override`). Pure: no Kivy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from content.shared.wire.announcements import Announcement
from content.shared.wire.catalog import Category
from content.shared.wording import PRIORITY_NAMES
from kiosk.device import CaseView, TicketResult, read_case, ticket_message
from kiosk.model import KioskModel

SAMPLE_NUMBER: Final = 0
"""The sample ticket's number after its prefix (A000): numbers of a day start at 001."""
SAMPLE_AHEAD: Final = 3
SAMPLE_WAIT_MIN: Final = 24
SAMPLE_PRIORITY: Final = "elderly"
INJECTED_EMERGENCY: Final = Announcement(
    id="screenshot-emergency",
    text="（截图示例）大厅临时停电，请有序从东门离开，听从工作人员指引。",
    priority="emergency",
    targets=("all",),
    starts=None,
    expires=None,
)


def sample_ticket(model: KioskModel, category: Category) -> TicketResult:
    """A made-up reply to a ticket in `category`, as the ticket screen shows a real one, numbered
    <prefix>000, which no day ever issues; its QR code opens that number's page, which says it is not
    found."""
    number = f"{category.prefix or 'A'}{SAMPLE_NUMBER:03d}"
    centre = model.centre
    day = model.queue.day or (centre.now().date().isoformat() if centre else "")
    url = f"{centre.public_url.rstrip('/')}/q/{day}/{number}" if centre and centre.public_url and day else None
    return TicketResult(
        ok=True,
        message=ticket_message(number, SAMPLE_AHEAD, SAMPLE_WAIT_MIN),
        ticket=number,
        category_name=category.name,
        priority_name=PRIORITY_NAMES[SAMPLE_PRIORITY],
        ahead=SAMPLE_AHEAD,
        estimate_min=SAMPLE_WAIT_MIN,
        url=url,
        detail="a sample for the screenshot: no command was sent",
    )


def sample_case(model: KioskModel) -> CaseView:
    """A made-up case for the case screen's picture (shown marked 样例, `CaseScreen.show_sample`): late,
    with documents missing and a few steps; its QR code opens a tracking page that finds no such case."""
    centre = model.centre
    base = centre.public_url.rstrip("/") if centre and centre.public_url else ""
    contacts = [{"label": "代办员 邓国平（青龙村）", "phone": "13800000000"}]
    if centre is not None:
        contacts += [
            {"label": "咨询电话", "phone": centre.hotline},
            {"label": "投诉电话", "phone": centre.complaint_phone},
        ]
    view = read_case(
        {
            "number": "WC-000000-0000",
            "item": "最低生活保障申请（样例）",
            "stage_name": "审批中",
            "holder_name": "区政务服务中心",
            "deciding_name": "区政务服务中心",
            "opened": "2026年1月5日 09:30",
            "due_text": "2026年1月28日前办结（承诺 17 个工作日）",
            "flag": "overdue",
            "flag_text": "已超过承诺时限",
            "applicant": "张**",
            "phone": "138****0000",
            "contacts": contacts,
            "timeline": [
                {"when": "2026年1月5日 09:30", "name": "已收件", "tier_name": "村(社区)", "note": "村代办员上门收件"},
                {"when": "2026年1月6日 14:10", "name": "转报至乡镇(街道)", "tier_name": "乡镇(街道)", "note": ""},
                {
                    "when": "2026年1月8日 10:02",
                    "name": "已受理",
                    "tier_name": "乡镇(街道)",
                    "note": "材料齐全，予以受理",
                },
                {
                    "when": "2026年1月12日 16:45",
                    "name": "审批中",
                    "tier_name": "区",
                    "note": "入户调查已完成，等待民主评议结果",
                    "basis": "《社会救助暂行办法》第十一条",
                },
            ],
            "missing": ["《家庭经济状况核对授权书》"],
            "received": ["申请人及共同生活家庭成员的居民身份证、户口簿", "《最低生活保障申请书》"],
            "url": f"{base}/t/WC-000000-0000" if base else None,
        }
    )
    assert view is not None
    return view


def with_emergency(model: KioskModel) -> KioskModel:
    """`model` with the screenshot's emergency announcement added."""
    rows = (*model.announcements.rows, INJECTED_EMERGENCY)
    return replace(model, announcements=replace(model.announcements, rows=rows))
