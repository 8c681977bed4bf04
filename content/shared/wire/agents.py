"""The `agents` document: the proxy agents (代办员) of the three tiers, their areas and phones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from content.shared import limits as cap
from content.shared.contract import read_id, read_main_rows, read_text
from content.shared.wording import TIER_NAMES


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    tier: str
    area: str
    phone: str

    @property
    def tier_name(self) -> str:
        return TIER_NAMES.get(self.tier, "")


def read(doc: Mapping[str, Any]) -> tuple[Agent, ...]:
    return tuple(
        Agent(
            id=read_id(a.get("id")),
            name=read_text(a.get("name"), cap.LABEL),
            tier=read_text(a.get("tier"), 20),
            area=read_text(a.get("area"), cap.POST),
            phone=read_text(a.get("phone"), cap.PHONE),
        )
        for a in read_main_rows(doc, "agents", "agents", cap.PEOPLE)
        if read_text(a.get("name"), cap.LABEL)
    )


def body(agents: list[dict[str, Any]]) -> dict[str, Any]:
    """From the content's agents, each `{id, name, tier, area, phone}` as `hall check` passed it."""
    return {"agents": agents}
