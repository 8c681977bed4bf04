"""The shape of a centre's content files, as pydantic models.

These models check one file at a time: types, required fields, unknown keys and value ranges, and
no field or list longer than a device reads (`content.shared.limits`). Rules that span files (a
staff member's window must exist, ids must be unique across the catalog) live in
`content.centre.validate`, which works on the models built here.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from content.shared import limits as cap
from content.shared import when
from content.shared.catalog import domain

_ = domain("centre").gettext

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]


def _text(limit: int) -> object:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=limit)


Text = Annotated[str, _text(cap.LONG)]
"""Long text: a step, the legal basis, a rule, the address."""
Name = Annotated[str, _text(cap.NAME)]
Label = Annotated[str, _text(cap.LABEL)]
Post = Annotated[str, _text(cap.POST)]
Note = Annotated[str, _text(cap.NOTE)]
Keyword = Annotated[str, _text(cap.KEYWORD)]
MediaName = Annotated[str, StringConstraints(min_length=1, max_length=cap.MEDIA_NAME)]
Phone = Annotated[str, StringConstraints(pattern=r"^[0-9][0-9\- ]{4,19}$")]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Tier = Literal["village", "township", "district"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Window(_Model):
    id: Id
    number: int | None = Field(default=None, ge=1, le=999)
    """The number on the window, used in calls: 请 A012 号到 3 号窗口."""
    name: Label
    categories: list[Id] = Field(min_length=1, max_length=cap.CATEGORIES)
    comprehensive: bool = False
    """The comprehensive window (综合窗口): on days that are not market days it serves every
    category and transfers internally; on market days only the categories it lists."""


class Session(_Model):
    days: list[Weekday] = Field(min_length=1)
    open: ClockTime
    close: ClockTime

    @model_validator(mode="after")
    def _close_after_open(self) -> Session:
        if self.close <= self.open:
            raise ValueError(
                _("the session closes ({close}) before it opens ({open}): 'close' comes after 'open'").format(
                    close=self.close, open=self.open
                )
            )
        return self


PriorityKind = Literal["elderly", "disabled", "pregnant", "military", "appointment"]


class MarketDays(_Model):
    """Market days (逢场赶集日), when every window is staffed."""

    days_of_month: list[Annotated[int, Field(ge=1, le=31)]] = []
    weekdays: list[Weekday] = []
    dates: list[date] = []
    """Extra dates, e.g. market days that follow the lunar calendar, listed for the year."""


class QueueSettings(_Model):
    reset_hour: int = Field(default=4, ge=0, le=23)
    """Numbers restart (A001) each day at this local hour."""
    priority_streak: int = Field(default=2, ge=1, le=20)
    """While normal tickets wait, at most this many priority tickets are called in a row at a window."""
    service_minutes: int = Field(default=8, ge=1, le=240)
    """Estimated minutes a citizen takes at a window, until today's measurements say otherwise."""
    recent_calls: int = Field(default=10, ge=1, le=50)
    tickets_per_minute: int = Field(default=10, ge=1, le=100_000)
    """Numbers one account (a kiosk, a staff tool) may take in a minute; past it, it is told to wait."""
    market_days: MarketDays = MarketDays()
    issue_before_open: int = Field(default=30, ge=0, le=240)
    """Minutes before each opening session that numbers may be taken, for halls that let people queue early;
    outside the hours and this margin, the kiosk greys 取号 and the service refuses a number."""
    issue_any_time: bool = False
    """Numbers at any hour (a hall whose kiosks stand in a 24-hour self-service area; a demonstration)."""


class CaseSettings(_Model):
    """Cases (办件) handed in here: their numbers, and how long personal data is kept."""

    prefix: Annotated[str, StringConstraints(max_length=32)] | None = None
    """The letters case numbers start with (WC-261203-0007): 2 to 4 capital latin letters, checked in
    `validate` (`content.centre.numbers`); by default the initials of the short name's place (魏城 → WC)."""
    due_soon_days: int = Field(default=2, ge=0, le=30)
    """A case due within this many working days is flagged 即将到期."""
    keep_personal_days: int = Field(default=90, ge=0, le=3650)
    """Days after collection that the applicant's name and phone are kept; then only the masked record."""


class AnnouncementSettings(_Model):
    """Announcements put up from the staff console."""

    approval: bool = False
    """A window's announcement waits for the hall's manager to approve it (审核) before any screen shows it;
    a manager's goes up at once. Off: everyone's goes up at once."""


class RateSettings(_Model):
    """Commands one account may send in a minute, by kind (the staff console's: each person's); past it,
    it is told to wait. A minute's budget may be spent at once, then it comes back evenly. Well past what
    a window or a kiosk does in a busy hour: they stop a stolen account or a stuck key, not the hall."""

    call: int = Field(default=120, ge=1, le=100_000)
    """Calls, recalls, finishes and transfers at windows."""
    window: int = Field(default=60, ge=1, le=100_000)
    """A window opened, paused or closed."""
    staff: int = Field(default=30, ge=1, le=100_000)
    """On-duty status changes."""
    announce: int = Field(default=30, ge=1, le=100_000)
    """Announcements put up, changed, taken down or reviewed."""
    case: int = Field(default=60, ge=1, le=100_000)
    """Cases opened or moved on."""
    ask: int = Field(default=120, ge=1, le=100_000)
    """Questions: case lookups (the kiosk's 查询办件 included), lists, slips, statistics."""
    ticket: int = Field(default=60, ge=1, le=100_000)
    """Commands that take a number, refused ones included (the numbers themselves: `queue.tickets_per_minute`)."""
    all: int = Field(default=300, ge=1, le=100_000)
    """Every command together."""


class RecordSettings(_Model):
    """How long the state file keeps what is over; then it goes to the archive beside it (one gzipped
    JSON-lines file a month), out of the way of the service but kept."""

    audit_days: int = Field(default=180, ge=1, le=3650)
    """Days the audit log (every command, who sent it, what came of it) stays in the state file."""
    announcement_days: int = Field(default=30, ge=1, le=3650)
    """Days an announcement that was taken down or ran out stays in the state file."""


class Rule(_Model):
    title: Post
    text: Text


class Centre(_Model):
    id: Id
    name: Annotated[str, _text(cap.CENTRE_NAME)]
    short_name: Annotated[str, _text(cap.CENTRE_NAME)] | None = None
    tier: Tier
    parent: Id | None = None
    address: Text
    timezone: str = "Asia/Shanghai"
    hours: list[Session] = Field(min_length=1, max_length=cap.SESSIONS)
    hours_note: Text | None = None
    hotline: Phone
    complaint_phone: Phone
    windows: list[Window] = Field(min_length=1, max_length=cap.WINDOWS)
    rules: list[Rule] = Field(default=[], max_length=cap.RULES)
    logo: MediaName | None = None
    public_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")] | None = None
    """Where citizens' phones reach the hall's public pages (QR codes of guides and tickets)."""
    queue: QueueSettings = QueueSettings()
    cases: CaseSettings = CaseSettings()
    announcements: AnnouncementSettings = AnnouncementSettings()
    rates: RateSettings = RateSettings()
    records: RecordSettings = RecordSettings()

    def sessions(self) -> tuple[when.Session, ...]:
        """The opening hours as the rules of `content.shared.when` read them, as every device does."""
        return tuple(when.Session(tuple(s.days), s.open, s.close) for s in self.hours)


class Category(_Model):
    id: Id
    name: Label
    prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}$")]
    """One or two capital letters: a hall with more than 26 categories numbers A001 … Z001, AA001 …"""


class Document(_Model):
    name: Name
    form: Literal["original", "copy", "original_and_copy"]
    copies: int = Field(default=1, ge=0, le=20)
    note: Note | None = None


class Limits(_Model):
    """Time limits in working days (工作日). An instant item (即办件) has promised 0."""

    legal: int = Field(ge=0, le=365)
    promised: int = Field(ge=0, le=365)
    proxy: int | None = Field(default=None, ge=0, le=365)


class Item(_Model):
    id: Id
    name: Name
    category: Id
    department: Name
    windows: list[Id] = Field(min_length=1, max_length=cap.ITEM_WINDOWS)
    instant: bool
    limits: Limits
    fee: Note
    documents: list[Document] = Field(min_length=1, max_length=cap.DOCUMENTS)
    steps: list[Text] = Field(min_length=1, max_length=cap.STEPS)
    basis: Text
    phone: Phone
    tiers: list[Tier] = Field(min_length=1, max_length=3)
    keywords: list[Keyword] = Field(default=[], max_length=cap.KEYWORDS)


class ItemsFile(_Model):
    items: list[Item] = Field(min_length=1, max_length=cap.ITEMS)


class CategoriesFile(_Model):
    categories: list[Category] = Field(min_length=1, max_length=cap.CATEGORIES)


StaffStatus = Literal["on_duty", "away", "off", "leave"]


class Staff(_Model):
    id: Id
    name: Label
    post: Post
    window: Id | None = None
    phone: Phone
    photo: MediaName | None = None
    status: StaffStatus = "off"


class StaffFile(_Model):
    staff: list[Staff] = Field(min_length=1, max_length=cap.PEOPLE)


class Agent(_Model):
    id: Id
    name: Label
    tier: Tier
    area: Post
    phone: Phone


class AgentsFile(_Model):
    agents: list[Agent] = Field(min_length=1, max_length=cap.PEOPLE)


class Days(_Model):
    """One day (`date:`) or a run of days (`from:` … `to:`), with what they are."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    day: date | None = Field(default=None, alias="date")
    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")
    name: Label

    @model_validator(mode="after")
    def _one_form(self) -> Days:
        if self.day is not None and (self.start is not None or self.end is not None):
            raise ValueError(_("give either 'date:' or 'from:' and 'to:', not both"))
        if self.day is None and (self.start is None or self.end is None):
            raise ValueError(_("give 'date:' for one day, or 'from:' and 'to:' for several"))
        if self.start is not None and self.end is not None:
            if self.end < self.start:
                raise ValueError(_("'to: {end}' is before 'from: {start}'").format(end=self.end, start=self.start))
            if (self.end - self.start).days >= cap.HOLIDAY_SPAN:
                raise ValueError(_("a run of days is at most {days} days long").format(days=cap.HOLIDAY_SPAN))
        return self

    def days(self) -> list[date]:
        if self.day is not None:
            return [self.day]
        assert self.start is not None and self.end is not None
        return [date.fromordinal(n) for n in range(self.start.toordinal(), self.end.toordinal() + 1)]


class HolidaysFile(_Model):
    """`holidays.yaml`, optional: days off and make-up working days (调休) the national calendar lacks.

    Local days off apply on top of the national calendar. For a year listed under `years:` the file
    gives that year's national calendar in full (a year the installed calendar does not know yet):
    weekdays are working days unless listed under `holidays:`, weekends are off unless listed
    under `workdays:`.
    """

    years: list[Annotated[int, Field(ge=2000, le=2100)]] = Field(default=[], max_length=cap.HOLIDAY_YEARS)
    holidays: list[Days] = Field(default=[], max_length=cap.HOLIDAY_ENTRIES)
    workdays: list[Days] = Field(default=[], max_length=cap.HOLIDAY_ENTRIES)
