"""How much of each field of a centre's content there may be: one table for both sides.

The content schema (`content.centre.schema`) allows no more, so `hall check` refuses with file:line what
a screen would otherwise have to cut; the devices read no more, so a hostile document costs them no more
than a real one. Lengths are in characters, counts in rows.
"""

from __future__ import annotations

from typing import Final

# -- text --------------------------------------------------------------------------------------------
CENTRE_NAME: Final = 100
"""绵阳市游仙区魏城镇便民服务中心; a district's full name with its parent's is rarely past 40."""
NAME: Final = 120
"""An item's name, a required document's, a department's."""
LABEL: Final = 40
"""A window's name, a category's, a person's; a tier's; a window's pause reason."""
POST: Final = 80
"""A staff member's post, an agent's area (村), a rule's title."""
NOTE: Final = 1000
"""A document's note, an item's fee: a hall's real ones run to a few hundred characters (a legalisation
requirement on a document from abroad, a fee table with its exemptions)."""
LONG: Final = 2000
"""A step of a guide, its legal basis, a rule's text, the address, a note on the opening hours."""
PAGE: Final = 200
"""Characters of one text that a screen shows at once: a longer fee, note or step is shown whole, a page at a
time on an LED display and scrolled on a kiosk, never cut. `hall check` says which texts will be paged."""
KEYWORD: Final = 60
ANNOUNCEMENT: Final = 500
"""An announcement's text (a command's argument, never content)."""
PHONE: Final = 30
MEDIA_NAME: Final = 64
"""A photo's or logo's file name in the content (its hash on the wire)."""

DOCUMENT_BYTES: Final = 4 * 1024 * 1024
"""A state document as it goes on the wire: devices refuse a larger payload before reading it, and the
service and `hall check` refuse content that would make one (a 2,000-item catalog is about 2 MB)."""
MEDIA_BYTES: Final = 512 * 1024
"""A photo or a logo."""
PACKET_BYTES: Final = DOCUMENT_BYTES + 64 * 1024
"""The largest MQTT packet a device accepts, and the broker carries: a document, its topic and headers.
Devices say so when they connect (MQTT 5 Maximum Packet Size), so the broker never sends them more."""

# -- counts ------------------------------------------------------------------------------------------
WINDOWS: Final = 200
CATEGORIES: Final = 60
"""Each with its own ticket prefix: one or two capital letters (A … Z, then AA, AB …)."""
ITEMS: Final = 2000
PEOPLE: Final = 2000
"""Staff, and proxy agents (a district has about 690)."""
ITEM_WINDOWS: Final = 20
DOCUMENTS: Final = 64
STEPS: Final = 50
KEYWORDS: Final = 32
RULES: Final = 50
ANNOUNCEMENTS: Final = 20
"""Current announcements (now or to come): the service refuses another, devices read no more."""
SESSIONS: Final = 14
"""Opening sessions of a week: two a day."""
PICKUP_SHOWN: Final = 60
"""Case numbers in the wall's `pickup` document (请以下办件人到窗口取件): the service sends no more,
a display reads no more."""
HOLIDAY_ENTRIES: Final = 400
"""Entries under `holidays:` or `workdays:` in holidays.yaml (a year has about 30)."""
HOLIDAY_YEARS: Final = 20
HOLIDAY_SPAN: Final = 31
"""Days in one `from:` … `to:` run."""
