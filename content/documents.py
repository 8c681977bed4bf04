"""The retained state documents, built from content and live state. Pure functions.

Each builder returns the body of one `hall/v1/<c>/<topic>` document; `content.contract`
adds `schema`, `ts` and `rev`. Bodies are plain JSON-ready dicts, stable for equal inputs, so
their rev changes only when what a device would show changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from content.commands import announcement_json
from content.live import Live
from content.loader import Content
from content.schema import TIER_NAMES


def _media_hash(content: Content, ref: str | None) -> str | None:
    if ref is None or ref not in content.media:
        return None
    return content.media[ref].sha256


def centre(content: Content) -> dict[str, Any]:
    body = content.centre.model_dump(mode="json", exclude={"logo"})
    body["logo"] = _media_hash(content, content.centre.logo)
    body["tier_name"] = TIER_NAMES[content.centre.tier]
    return body


def catalog(content: Content) -> dict[str, Any]:
    return {
        "categories": [category.model_dump(mode="json") for category in content.categories],
        "items": [item.model_dump(mode="json") for item in content.items],
    }


def staff(content: Content, live: Live) -> dict[str, Any]:
    members = []
    for member in content.staff:
        state = live.staff.get(member.id)
        members.append(
            {
                "id": member.id,
                "name": member.name,
                "post": member.post,
                "window": member.window,
                "phone": member.phone,
                "photo": _media_hash(content, member.photo),
                "status": state.status if state else member.status,
                "since": state.since.isoformat(timespec="seconds") if state else None,
                "substitute": state.substitute if state else None,
            }
        )
    return {"staff": members}


def agents(content: Content) -> dict[str, Any]:
    return {"agents": [agent.model_dump(mode="json") for agent in content.agents]}


def announcements(live: Live, now: datetime) -> dict[str, Any]:
    """Only what is active now; the service republishes when one starts or expires."""
    order = {"emergency": 0, "high": 1, "normal": 2}
    active = sorted(
        (a for a in live.announcements.values() if a.active(now)),
        key=lambda a: (order[a.priority], a.starts, a.id),
    )
    return {"announcements": [announcement_json(a) for a in active]}


def queue(content: Content) -> dict[str, Any]:
    """The queue as it stands before any ticket is issued."""
    return {
        "windows": [
            {
                "id": window.id,
                "name": window.name,
                "open": True,
                "reason": None,
                "serving": None,
                "staff": None,
            }
            for window in content.centre.windows
        ],
        "categories": [
            {"id": category.id, "prefix": category.prefix, "waiting": 0, "estimated_wait_min": None}
            for category in content.categories
        ],
        "last_calls": [],
    }


def all_documents(content: Content, live: Live, now: datetime) -> dict[str, dict[str, Any]]:
    """Every state document by topic name (relative to the centre)."""
    return {
        "centre": centre(content),
        "catalog": catalog(content),
        "staff": staff(content, live),
        "agents": agents(content),
        "queue": queue(content),
        "announcements": announcements(live, now),
    }
