"""One reader's translator: Babel's catalog for the words, Babel's locale data for dates and plurals, and the
reader's own timezone, so a class's time is also told as the reader's clock shows it.

A class's time is always shown in the class's timezone, named (the teacher's clock is the one the class keeps).
A reader who lives elsewhere would have to convert it themselves; so a translator made ``for_reader`` with their
zone adds their own time beside it ("Sun, Mar 14, 2027, 16:30 (Europe/Madrid), 10:30 your time") whenever their
clock reads differently at that moment. Every text that carries a ``Moment`` gets this, on every platform and
in every message the worker sends later, because the words are chosen once here.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_percent
from babel.support import NullTranslations

from bot.i18n.texts import Text, tr

# A class's start as each language writes it (English "Sun, Mar 14, 2027, 16:30", Spanish "dom, 14 mar 2027,
# 16:30"): CLDR skeletons let the locale's data choose the order, the abbreviations and the clock.
_DATE_SKELETON = "yMMMEd"
_TIME_SKELETON = "Hm"
_DAY_SKELETON = "MMMEd"
_MONTH_DAY_SKELETON = "MMMd"


class Translator:
    """Renders the core's ``Text`` in one language; also usable as the ``Language`` the texts ask for."""

    def __init__(self, code: str, translations: NullTranslations, reader_zone: str | None = None) -> None:
        self.code = code
        self.locale = Locale.parse(code)
        self._translations = translations
        self.reader_zone = _known_zone(reader_zone)

    def for_reader(self, zone: str | None) -> Translator:
        """This language for a reader living in ``zone`` (None or a zone we do not know: class times only)."""
        if _known_zone(zone) == self.reader_zone:
            return self
        return Translator(self.code, self._translations, zone)

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
        told = f"{both} ({timezone})"
        if self.reader_zone is None or self.reader_zone == timezone:
            return told
        reader = ZoneInfo(self.reader_zone)
        theirs = at.astimezone(reader)
        if theirs.utcoffset() == local.utcoffset():
            return told  # another zone's name, the same clock: nothing to convert
        their_clock = format_skeleton(_TIME_SKELETON, theirs, tzinfo=reader, locale=self.locale)
        if theirs.date() == local.date():
            return tr("{when}, {clock} your time", when=told, clock=their_clock).render(self)
        # Another day where the reader is: their day too, or "04:00" would read as the class's day.
        their_day = format_skeleton(_DAY_SKELETON, theirs, tzinfo=reader, locale=self.locale)
        return tr("{when}, {day}, {clock} your time", when=told, day=their_day, clock=their_clock).render(self)

    def day(self, on: date) -> str:
        """A nearby day, short (English "Sun, Mar 14", Spanish "dom, 14 mar"), for picking a date."""
        return format_skeleton(_DAY_SKELETON, datetime.combine(on, datetime.min.time()), locale=self.locale)

    def month_day(self, on: date) -> str:
        """A date without its weekday, shortest (English "Mar 14", Spanish "14 mar"), for a chart's axis."""
        return format_skeleton(_MONTH_DAY_SKELETON, datetime.combine(on, datetime.min.time()), locale=self.locale)

    def percent(self, share: float) -> str:
        """A share as this language writes a percentage (English "75%", Spanish "75 %")."""
        return format_percent(share, locale=self.locale)


def _known_zone(zone: str | None) -> str | None:
    """``zone`` when the timezone database knows it, else None (an old or mistyped zone never breaks a message)."""
    if not zone:
        return None
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError):
        return None
    return zone
