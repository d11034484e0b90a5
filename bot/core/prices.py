"""A class's price per child: an integer amount in the currency's minor unit, and its currency code.

Telegram Stars (``XTR``) come in whole stars. Other currencies are real ones Babel knows, with their own minor
unit (cents for EUR, none for JPY); the teacher types the amount as people write it (``12.50 EUR``) and it is
kept in minor units (1250), so no amount is ever a float in the database.

Which currencies a platform's parents can pay in is the composition root's word (``Currencies``): Telegram takes
Stars, and money in the one currency of the operator's card provider when a provider token is set; Slack takes
money through Stripe when Stripe is set up, never Stars. A teacher is refused a price their own platform's
parents could not pay, and a parent a paid class their platform cannot take, before any seat is held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies

from bot.core.errors import InvalidInput
from bot.i18n.texts import Text, tr

STARS = "XTR"
# Telegram takes 1 to 10000 stars per invoice; a card price stays below a million of its major unit.
STARS_RANGE = (1, 10_000)
MAJOR_MAX = 1_000_000

_PRICE = re.compile(r"^(\d{1,9}(?:[.,]\d{1,3})?)\s*([A-Za-z]{3}|⭐|stars?)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Price:
    amount: int  # in the currency's minor unit; whole stars for ``XTR``
    currency: str

    @property
    def stars(self) -> bool:
        return self.currency == STARS


def minor_digits(currency: str) -> int:
    return 0 if currency == STARS else int(get_currency_precision(currency))


def parse_price(raw: str) -> Price | None:
    """``250 XTR`` (or ``250 stars``), ``12.50 EUR``; ``free`` or empty: no price."""
    text = " ".join(raw.split())
    if not text or text.lower() == "free":
        return None
    match = _PRICE.match(text)
    if match is None:
        raise InvalidInput(
            "price", tr("“{typed}” is not a price: type the amount and the currency, like 250 XTR.", typed=text[:30])
        )
    currency = match[2].upper()
    if currency in ("⭐", "STAR", "STARS"):
        currency = STARS
    if currency != STARS and currency not in list_currencies():
        raise InvalidInput(
            "price", tr("“{currency}” is not a currency code: use one like EUR, USD or XTR.", currency=currency)
        )
    digits = minor_digits(currency)
    try:
        major = Decimal(match[1].replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        raise InvalidInput("price", tr("Type the price as a number, like 250 XTR.")) from None
    minor = major * 10**digits
    if minor != minor.to_integral_value():
        raise InvalidInput(
            "price", tr("{currency} has {digits} decimals at most: check the price.", currency=currency, digits=digits)
        )
    amount = int(minor)
    if currency == STARS and not STARS_RANGE[0] <= amount <= STARS_RANGE[1]:
        raise InvalidInput(
            "price", tr("A price in stars must be from {low} to {high} stars.", low=STARS_RANGE[0], high=STARS_RANGE[1])
        )
    if currency != STARS and not 0 < major < MAJOR_MAX:
        raise InvalidInput("price", tr("The price must be above 0 and below {most}.", most=MAJOR_MAX))
    return Price(amount, currency)


def price_of(amount: int | None, currency: str | None) -> Price | None:
    """A class's price from its two columns; None for a free class."""
    if amount is None or currency is None:
        return None
    return Price(amount, currency)


def amount_shown(price: Price) -> str:
    """The amount as people write it: "250 ⭐" for stars, Babel's currency format (``€12.50``) otherwise."""
    if price.stars:
        return f"{price.amount} ⭐"
    major = Decimal(price.amount).scaleb(-minor_digits(price.currency))
    return str(format_currency(major, price.currency, locale="en"))


def price_typed(price: Price | None) -> str:
    """The price as the teacher would type it again (``250 XTR``, ``12.50 EUR``), or "free"."""
    if price is None:
        return "free"
    digits = minor_digits(price.currency)
    return f"{Decimal(price.amount).scaleb(-digits):.{digits}f} {price.currency}"


@dataclass(frozen=True, slots=True)
class Takes:
    """What the parents on one platform can pay in: Telegram Stars, and money through a card provider: in any
    currency (Stripe Checkout), or only in ``money_in`` (Telegram's provider token is set up for one currency)."""

    stars: bool = False
    money: bool = False
    money_in: frozenset[str] | None = None  # None: any currency the provider takes

    def takes(self, currency: str) -> bool:
        if currency == STARS:
            return self.stars
        return self.money and (self.money_in is None or currency in self.money_in)

    def _money_named(self) -> str:
        return ", ".join(sorted(self.money_in or ()))

    def what_to_type(self) -> Text:
        """Why a teacher's price was refused, and what to type instead."""
        if self.stars and self.money and self.money_in:
            return tr(
                "Parents here pay in Telegram Stars or by card in {currency}: type the price like 250 XTR or "
                "12.50 {currency}.",
                currency=self._money_named(),
            )
        if self.stars:
            return tr("Parents here pay in Telegram Stars: type the price in XTR, like 250 XTR.")
        if self.money:
            return tr("Parents here pay by card, not in Telegram Stars: type the price in a currency like 12.50 EUR.")
        return tr("Payments are not set up on this ClassBot, so classes here are free: leave the price empty.")

    def why_not_bookable(self, title: str, currency: str) -> Text:
        """Why a parent here cannot book a class priced in ``currency`` (said before any seat is held)."""
        if currency == STARS:
            return tr(
                "“{title}” is paid in Telegram Stars, which only Telegram takes: nothing was booked. Book it from "
                "Telegram.",
                title=title,
            )
        if self.stars and self.money and self.money_in:
            return tr(
                "“{title}” is priced in {currency}, but parents here can pay only in Telegram Stars or in "
                "{accepted}: nothing was booked. Ask the teacher to price it in one of those.",
                title=title,
                currency=currency,
                accepted=self._money_named(),
            )
        if self.stars:
            return tr(
                "“{title}” is priced in {currency}, but parents here can pay only in Telegram Stars: nothing was "
                "booked. Ask the teacher to price it in Telegram Stars.",
                title=title,
                currency=currency,
            )
        return tr(
            "“{title}” is a paid class, and payments are not set up here: nothing was booked.",
            title=title,
        )


class Currencies:
    """Per platform, what its parents can pay in (given by the composition root, which knows what is set up)."""

    def __init__(self, by_platform: dict[str, Takes] | None = None) -> None:
        self._by_platform = dict(by_platform or {})

    def of(self, platform: str) -> Takes:
        return self._by_platform.get(platform, Takes())

    def check_price(self, platform: str, currency: str | None) -> None:
        """Refuse a teacher on ``platform`` a price their parents could not pay (a free class always passes)."""
        takes = self.of(platform)
        if currency is not None and not takes.takes(currency):
            raise InvalidInput("price", takes.what_to_type())
