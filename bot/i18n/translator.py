"""One language's translator: Babel's catalog for the words, Babel's locale data for dates and plurals."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_percent
from babel.support import NullTranslations

from bot.i18n.texts import Text

# A class's start as each language writes it (English "Sun, Mar 14, 2027, 16:30", Spanish "dom, 14 mar 2027,
# 16:30"): CLDR skeletons let the locale's data choose the order, the abbreviations and the clock.
_DATE_SKELETON = "yMMMEd"
_TIME_SKELETON = "Hm"
_DAY_SKELETON = "MMMEd"


class Translator:
    """Renders the core's ``Text`` in one language; also usable as the ``Language`` the texts ask for."""

    def __init__(self, code: str, translations: NullTranslations) -> None:
        self.code = code
        self.locale = Locale.parse(code)
        self._translations = translations

    def __call__(self, text: Text) -> str:
        return text.render(self)

    def gettext(self, msgid: str) -> str:
        return self._translations.gettext(msgid)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def moment(self, at: datetime, timezone: str) -> str:
        zone = ZoneInfo(timezone)
        local = at.astimezone(zone)
        day = format_skeleton(_DATE_SKELETON, local, tzinfo=zone, locale=self.locale)
        clock = format_skeleton(_TIME_SKELETON, local, tzinfo=zone, locale=self.locale)
        both = str(self.locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)
        return f"{both} ({timezone})"

    def day(self, on: date) -> str:
        """A nearby day, short (English "Sun, Mar 14", Spanish "dom, 14 mar"), for picking a date."""
        return format_skeleton(_DAY_SKELETON, datetime.combine(on, datetime.min.time()), locale=self.locale)

    def percent(self, share: float) -> str:
        """A share as this language writes a percentage (English "75%", Spanish "75 %")."""
        return format_percent(share, locale=self.locale)
