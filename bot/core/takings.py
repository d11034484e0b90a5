"""What a teacher's paid classes took in and gave back, class by class: the money part of ``/stats``.

Amounts stay per currency (a class is priced in one, but a teacher's classes may differ), in the currency's minor
unit, and are shown as people write them (``amount_shown``). Counted over the same 12 weeks as the chart: payments
made in them, and whatever of those was given back since.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.prices import Price, amount_shown
from bot.core.words import stats as words
from bot.i18n.texts import Text, joined


@dataclass(frozen=True, slots=True)
class ClassTakings:
    title: str
    payments: int
    paid: Price  # what the payments came to
    refunded: Price  # what was given back of it

    def in_words(self) -> Text:
        return words.class_takings(self.title, self.payments, amount_shown(self.paid), amount_shown(self.refunded))


def takings(rows: Iterable[tuple[str, str, int, int, int]]) -> tuple[ClassTakings, ...]:
    """From the storage's rows (title, currency, payments, paid, refunded)."""
    return tuple(
        ClassTakings(title, payments, Price(paid, currency), Price(refunded, currency))
        for title, currency, payments, paid, refunded in rows
    )


def takings_in_words(classes: tuple[ClassTakings, ...]) -> Text | None:
    """The money lines of a teacher's ``/stats``; None when no class of theirs was paid for."""
    if not classes:
        return None
    return joined("\n", words.TAKINGS_HEADING, *(each.in_words() for each in classes))
