"""The MQTT contract v1: topics, payload envelopes and the field readers of the service and every device.

It depends on the standard library and the hall's shared words (the catalog, grapheme cuts). Topics are
built relative to `hall/v1/<centre>/`; payloads are UTF-8 JSON
objects carrying `schema` and `ts`, and state documents also carry `rev`, a hash of their content
(not of `ts`), so a device can tell whether anything changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from content.shared.catalog import N_, domain
from content.shared.graphemes import boundaries, graphemes

_ = domain("shared").gettext

SCHEMA: Final = 1
ROOT: Final = "hall/v1"
CENTRE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
"""An id of the content (a centre, window, category, item, staff member, agent, announcement), whole."""
ACCOUNT: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
"""A broker account's name (the roster's `user`). It has no ".", so `client_id` of one account is never
that of another."""

PERSON: Final = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
"""A console login's name, which a command from the console's account carries as `person`: who acted."""

STATE_TOPICS: Final = ("centre", "catalog", "staff", "agents", "queue", "announcements", "stats", "pickup")
"""Retained QoS1 documents that only the service writes."""

MAX_COMMAND_BYTES: Final = 64 * 1024
COMMAND_VERBS: Final = (
    "announce", "staff", "ticket", "call", "window", "stats", "case", "case_open", "case_advance", "case_show",
    "case_list", "case_trip", "case_slip", "announce_review", "announce_edit", "announce_list",
)  # fmt: skip
"""Verbs the service answers on `cmd/<verb>/<account>`; later contract additions extend this tuple."""
VERB: Final = re.compile(r"[a-z][a-z_]{0,31}")

DeviceStatus = Literal["ready", "lost", "disconnected"]


class PayloadError(ValueError):
    """A payload that does not follow the contract. The message says what is wrong, in the hall's language."""


DOCUMENT_NAMES: Final = {
    "centre": N_("the centre"),
    "catalog": N_("the catalog of items"),
    "staff": N_("the staff"),
    "agents": N_("the agents"),
    "queue": N_("the queue"),
    "announcements": N_("the announcements"),
    "stats": N_("the statistics"),
    "pickup": N_("the collection list"),
}
"""Each state document, as a problem with it names it."""
FIELD_NAMES: Final = {
    "items": N_("the items"),
    "categories": N_("the categories"),
    "windows": N_("the windows"),
    "staff": N_("the staff members"),
    "agents": N_("the agents"),
    "announcements": N_("the announcements"),
    "cases": N_("the case numbers"),
    "name": N_("the name"),
}
"""The fields of the documents a reader refuses a document for, as the problem names them."""
_KINDS: Final = {
    "list": N_("a list"),
    "dict": N_("an object"),
    "str": N_("text"),
    "int": N_("a number"),
    "float": N_("a number"),
    "bool": N_("a yes-or-no value"),
    "NoneType": N_("nothing (null)"),
}
_OTHER_KIND: Final = N_("something else")


def kind_of(value: Any) -> str:
    """What a JSON value is, in words (a list, text, a number)."""
    return _(_KINDS.get(type(value).__name__, _OTHER_KIND))


def not_a_list(topic: str, key: str, value: Any) -> PayloadError:
    """The problem of a document whose main list (`key`) is missing or no list."""
    return PayloadError(
        _("In {document}, {field} should be a list, not {kind}").format(
            document=_(DOCUMENT_NAMES.get(topic, topic)), field=_(FIELD_NAMES.get(key, key)), kind=kind_of(value)
        )
    )


def base(centre: str) -> str:
    if not CENTRE_ID.match(centre):
        raise ValueError(
            _("The centre id “{centre}” should be lowercase latin letters, digits and “-”").format(centre=centre[:64])
        )
    return f"{ROOT}/{centre}/"


def media_topic(sha256: str) -> str:
    return f"media/{sha256}"


def device_topic(device: str) -> str:
    return f"device/{device}/state"


def command_topic(verb: str, account: str) -> str:
    """Where `account` sends a command: the broker lets an account publish only under its own name, so
    the topic, never the payload, says who sent it."""
    return f"cmd/{verb}/{account}"


def command_sender(topic: str) -> tuple[str, str] | None:
    """(verb, account) of a command topic relative to the centre (`cmd/<verb>/<account>`); None for a
    topic that is not one."""
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != "cmd" or not VERB.fullmatch(parts[1]) or not ACCOUNT.fullmatch(parts[2]):
        return None
    return parts[1], parts[2]


def reply_topic(account: str) -> str:
    """Where the service answers `account`'s commands; only that account may read it."""
    return f"reply/{account}"


def client_id(account: str, run: str | None = None) -> str:
    """The MQTT client id of a connection of `account`: the account itself for its one long-lived
    connection (the service's persistent session, a device), `<account>.<run>` for each of several at
    once (the runs of the `hall` command). The broker refuses any other (broker_config/plugin)."""
    return account if run is None else f"{account}.{run}"


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def decode(data: bytes, max_bytes: int | None = None) -> dict[str, Any]:
    """Parse a JSON object payload; raise PayloadError naming what is wrong."""
    if max_bytes is not None and len(data) > max_bytes:
        raise PayloadError(
            _("The message has {size} bytes, more than the limit of {most}").format(size=len(data), most=max_bytes)
        )
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PayloadError(_("The message is not UTF-8 text (at byte {at})").format(at=exc.start)) from None
    except json.JSONDecodeError as exc:
        raise PayloadError(
            _("The message is not JSON: wrong at line {line}, column {column}").format(
                line=exc.lineno, column=exc.colno
            )
        ) from None
    except RecursionError:
        raise PayloadError(_("The message is nested too deeply to read")) from None
    except ValueError:  # e.g. an integer past Python's 4300-digit limit
        raise PayloadError(_("The message is JSON this service cannot read (a number too long)")) from None
    if not isinstance(value, dict):
        raise PayloadError(_("The message should be a JSON object, not {kind}").format(kind=kind_of(value)))
    if "schema" not in value:
        raise PayloadError(
            _("The message does not say its contract version; this hall reads version {version}").format(version=SCHEMA)
        )
    if value.get("schema") != SCHEMA:
        raise PayloadError(
            _("The message is of contract version {got}; this hall reads version {version}").format(
                got=str(value.get("schema"))[:20], version=SCHEMA
            )
        )
    return value


def rev_of(body: dict[str, Any]) -> str:
    """A short content hash of a state document's body (everything but schema, ts and rev)."""
    kept = {key: value for key, value in body.items() if key not in ("schema", "ts", "rev")}
    return hashlib.sha256(encode(kept)).hexdigest()[:16]


def state_document(body: dict[str, Any], now: datetime, rev: str | None = None) -> dict[str, Any]:
    """The document as published; pass `rev` when it is already known (it is not cheap for a catalog)."""
    return {**body, "schema": SCHEMA, "ts": now.isoformat(timespec="seconds"), "rev": rev or rev_of(body)}


def call_event(call: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A `call` event (not retained): one ticket called to one window; `seq` only ever grows."""
    return {**call, "schema": SCHEMA, "ts": now.isoformat(timespec="seconds")}


def command(args: dict[str, Any], now: datetime, deadline: datetime | None = None) -> dict[str, Any]:
    """A command payload. The verb and the sender are in its topic, `cmd/<verb>/<account>`; the id
    is the sender's own (a repeat of it is answered with the stored reply, never applied twice).
    `deadline`: when its sender stops waiting for the reply (on the sender's clock, which the hall keeps
    in step by NTP); the service applies it no later than that."""
    payload = {"schema": SCHEMA, "ts": now.isoformat(timespec="seconds"), "id": uuid.uuid4().hex, "args": args}
    if deadline is not None:
        payload["deadline"] = deadline.astimezone(UTC).isoformat(timespec="milliseconds")
    return payload


def read_deadline(value: Any) -> datetime | None:
    """A command's `deadline`, if it is an ISO 8601 time with its offset; None otherwise."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def reply(
    command_id: str, now: datetime, result: Any = None, error: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """A reply; a refusal has `error` (for the sender) and may have `code`, which a device words for the
    people in front of it (`rate_limited`: this account took too many numbers in the last minute)."""
    payload: dict[str, Any] = {"schema": SCHEMA, "ts": now.isoformat(timespec="seconds"), "id": command_id}
    if error is None:
        payload.update(ok=True, result=result)
    else:
        payload.update(ok=False, error=error)
        if code is not None:
            payload["code"] = code
    return payload


def device_state(
    status: DeviceStatus,
    kind: str,
    boot_id: str,
    now: datetime,
    revs: dict[str, str] | None = None,
    latency_ms: float | None = None,
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "ts": now.isoformat(timespec="seconds"),
        "status": status,
        "kind": kind,
        "boot_id": boot_id,
        "revs": revs or {},
        "latency_ms": latency_ms,
    }


# -- reading documents on a device: field readers that never raise -------------------------------
# A device shows what it can of a document and skips what is malformed: a wrong type, an oversized
# string or list is read as missing (or cut), never an exception in the middle of applying it.

MAX_TEXT: Final = 500
MAX_ROWS: Final = 2000


def read_text(value: Any, limit: int = MAX_TEXT) -> str:
    """A string field, stripped and cut to at most `limit` characters (code points) between two of its
    graphemes, never inside one (a surrogate pair, an emoji, a letter and its accent) or inside a name
    joined by a middle dot when an earlier cut fits; "" for anything that is not a string."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return text if len(text) <= limit else cut_whole(text, limit)


def cut_whole(text: str, limit: int) -> str:
    """`text` cut to at most `limit` code points at a boundary a reader sees (`graphemes.boundaries`),
    without a mark: a field reader keeps what fits, whole."""
    if len(text) <= limit:
        return text
    # A boundary's place depends only on the characters around it, so the text just past the limit
    # tells where the last one before the limit is.
    fitting = [b for b in boundaries(text[: limit + 1]) if b <= limit]
    end = fitting[-1] if fitting else 0
    if end == 0:  # a dot-joined name longer than the limit: cut between its clusters
        for cluster in graphemes(text[: limit + 1]):
            if end + len(cluster) > limit:
                break
            end += len(cluster)
    return text[:end].rstrip()


def read_optional(value: Any, limit: int = 200) -> str | None:
    """`read_text`, with None for missing or empty."""
    return read_text(value, limit) or None


def read_id(value: Any) -> str:
    """An id as the content schema writes them (`ID`); "" for anything else. An id is never cut or
    stripped, as text is: a changed id would name another thing, or nothing."""
    return value if isinstance(value, str) and ID.fullmatch(value) else ""


def read_int(value: Any, low: int = 0, high: int = 10**9) -> int | None:
    """An integer field within [low, high]; None for anything else (booleans and floats included)."""
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return None


def read_object(value: Any) -> dict[str, Any]:
    """An object field; {} for anything else, so that its own fields read as missing."""
    return value if isinstance(value, dict) else {}


def read_rows(value: Any, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    """The objects of a list field (other entries skipped), at most `limit`."""
    if not isinstance(value, list):
        return []
    return [v for v in value[:limit] if isinstance(v, dict)]


def read_main_rows(doc: Mapping[str, Any], key: str, topic: str, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    """The objects of what a document is for (a catalog's `items`): PayloadError when that list is
    missing or no list, so the document is refused whole and the last good one stays on screen."""
    value = doc.get(key)
    if not isinstance(value, list):
        raise not_a_list(topic, key, value)
    return read_rows(value, limit)


def read_strings(value: Any, limit: int = MAX_TEXT, rows: int = 100) -> tuple[str, ...]:
    """The non-empty strings of a list field, each cut to `limit`, at most `rows` of them."""
    if not isinstance(value, list):
        return ()
    return tuple(t for t in (read_text(v, limit) for v in value[:rows]) if t)


def read_ids(value: Any, rows: int = 100) -> tuple[str, ...]:
    """The ids of a list field (`read_id`; anything else skipped), at most `rows` of them."""
    if not isinstance(value, list):
        return ()
    return tuple(i for i in map(read_id, value[:rows]) if i)


ZONE_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,29}(/[A-Za-z0-9][A-Za-z0-9_+-]{0,29}){0,2}")


def zone_named(name: Any) -> ZoneInfo | None:
    """The time zone an IANA name names (`Asia/Shanghai`); None for anything that names none, such as
    `Asia` (a directory of zones) or a path. Never raises: zoneinfo refuses a bad name with several
    kinds of exception, and a typo in one document must not stop a screen."""
    if not isinstance(name, str) or not ZONE_NAME.fullmatch(name):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


DEFAULT_ZONE: Final = "Asia/Shanghai"


def read_zone(value: Any, default: str = DEFAULT_ZONE) -> str:
    """A document's time zone: `default` when it names none (missing or empty), PayloadError when it
    names something that is no zone. The document is then refused whole, and the last good one stays:
    a clock in the wrong zone would mislead everyone who reads it."""
    if value is None or value == "":
        return default
    if zone_named(value) is None:
        raise PayloadError(_("There is no time zone “{zone}”").format(zone=cut_whole(str(value), 64)))
    return str(value)


def read_time(value: Any) -> datetime | None:
    """An ISO 8601 time with its zone; None for anything else (a time without a zone is ambiguous)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
