"""The words people read, in the hall's language: gettext message catalogs read by the standard library.

Every sentence a person reads comes from a catalog (`content/shared/locale/<lang>/LC_MESSAGES/<domain>.mo`).
The message ids are English; zh_CN is complete and the default for a hall; English is the second catalog.
`HALL_LANG` chooses (`zh_CN`, `en`), else the locale (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`) when it
names one of the two, else zh_CN: a hall's machine often runs in the C locale.

One domain for each part that ships its own words, so a device carries only its own and the shared ones:

    from content.shared.catalog import domain
    _ = domain("kiosk").gettext
    label = _("Take a number")

Babel extracts the ids and compiles the catalogs (`scripts/words`); at run time only the standard library
reads them. A module's constants translated at import take the language of that moment, which is the
process's: `use()` is for a process's start (a CLI's --lang), not for switching mid-run.
"""

from __future__ import annotations

import argparse
import gettext
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Final

LOCALE_DIR: Final = Path(__file__).with_name("locale")
LANGUAGES: Final = ("zh_CN", "en")
DEFAULT: Final = "zh_CN"
DOMAINS: Final = ("shared", "service", "centre", "console", "console_js", "pages", "kiosk", "led", "hall", "argparse")
"""The catalogs: content's shared layer, the service side (service, accounts, broker, devices, queue,
cases), the centre's content checks (`hall check`), the staff console (its pages and its scripts), the
public pages, the kiosk, the LED displays, the `hall` command, and argparse's own sentences."""


def choose(environ: Mapping[str, str]) -> str:
    """The language for an environment: HALL_LANG, else the locale's when it is zh or en, else zh_CN."""
    for name in ("HALL_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in environ.get(name, "").split(":"):
            found = match(part)
            if found:
                return found
    return DEFAULT


def match(value: str) -> str | None:
    """`zh_CN.UTF-8`, `zh`, `zh-Hans` → zh_CN; `en_US`, `en` → en; anything else → None."""
    code = value.split(".")[0].split("@")[0].strip().lower().replace("-", "_")
    if code == "zh" or code.startswith("zh_"):
        return "zh_CN"
    if code == "en" or code.startswith("en_"):
        return "en"
    return None


_language = choose(os.environ)


def language() -> str:
    """The language of this process's words."""
    return _language


def use(lang: str) -> None:
    """Make this process speak `lang` (one of LANGUAGES), before its words are first read."""
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"no catalog for {lang!r}: {', '.join(LANGUAGES)}")  # catalog: internal
    _language = lang


@cache
def translations(name: str, lang: str) -> gettext.NullTranslations:
    """One domain's catalog in one language. English ids are their own English, so a missing English
    catalog falls back to them; a missing Chinese one is an installation error and says so."""
    if name not in DOMAINS:
        raise ValueError(f"no such message domain {name!r}")  # catalog: internal
    return gettext.translation(name, LOCALE_DIR, [lang], fallback=lang == "en")


class Domain:
    """The words of one domain, looked up in the process's language when they are read."""

    def __init__(self, name: str) -> None:
        if name not in DOMAINS:
            raise ValueError(f"no such message domain {name!r}")  # catalog: internal  # catalog: internal
        self.name = name

    def gettext(self, message: str) -> str:
        return translations(self.name, _language).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations(self.name, _language).ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return translations(self.name, _language).pgettext(context, message)

    def messages(self) -> dict[str, str]:
        """Every id of the domain with its words (for a page's scripts, which read them as JSON)."""
        catalog = translations(self.name, _language)
        if not isinstance(catalog, gettext.GNUTranslations):
            return {}
        table: dict[str, str] = catalog._catalog  # type: ignore[attr-defined]
        return {key: value for key, value in table.items() if isinstance(key, str) and key}


def domain(name: str) -> Domain:
    return Domain(name)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; it is translated where it is read."""
    return message


def translate_argparse() -> None:
    """argparse's own sentences (usage:, the following arguments are required, invalid choice) in the
    hall's language. argparse reads its module-level `_` and `ngettext` at each call, so a CLI sets them
    once before it parses; the ids are argparse's, extracted into the `argparse` domain."""
    words = domain("argparse")
    argparse._ = words.gettext  # type: ignore[attr-defined]
    argparse.ngettext = words.ngettext  # type: ignore[attr-defined]
