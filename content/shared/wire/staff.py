"""The `staff` document: every staff member's name, post, window, phone, photo and on-duty status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from content.shared import limits as cap
from content.shared.contract import read_id, read_main_rows, read_text
from content.shared.wording import STATUS_NAMES

STATUSES: Final = tuple(STATUS_NAMES)
"""on_duty / away / off / leave (在岗 / 暂离 / 下班 / 请假)."""


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    post: str
    window: str | None
    phone: str
    photo: str | None
    """The photo's sha256 (its media topic), when it has one."""
    status: str
    """One of `STATUSES`, or "" when the document said something else."""
    since: str
    substitute: str | None

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, "")


def member_json(m: StaffMember) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "post": m.post,
        "window": m.window,
        "phone": m.phone,
        "photo": m.photo,
        "status": m.status,
        "since": m.since or None,
        "substitute": m.substitute,
    }


def body(members: Iterable[StaffMember]) -> dict[str, Any]:
    return {"staff": [member_json(m) for m in members]}


def _sha256(value: Any) -> str | None:
    photo = read_text(value, 64).lower()
    return photo if len(photo) == 64 and all(ch in "0123456789abcdef" for ch in photo) else None


def read(doc: Mapping[str, Any]) -> tuple[StaffMember, ...]:
    rows = []
    for m in read_main_rows(doc, "staff", "staff", cap.PEOPLE):
        name = read_text(m.get("name"), cap.LABEL)
        if not name:
            continue
        status = read_text(m.get("status"), 10)
        rows.append(
            StaffMember(
                id=read_id(m.get("id")),
                name=name,
                post=read_text(m.get("post"), cap.POST),
                window=read_id(m.get("window")) or None,
                phone=read_text(m.get("phone"), cap.PHONE),
                photo=_sha256(m.get("photo")),
                status=status if status in STATUSES else "",
                since=read_text(m.get("since"), 40),
                substitute=read_id(m.get("substitute")) or None,
            )
        )
    return tuple(rows)
