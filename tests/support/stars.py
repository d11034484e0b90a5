"""A payment provider's side of refunds, as Telegram keeps it for Stars: each charge refunded at most once."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.storage.identity import PersonRef


class AlreadyRefunded(Exception):
    pass


@dataclass
class StarLedger:
    """Records each refund; refuses a second refund of one charge, as ``refundStarPayment`` does."""

    refunded: list[tuple[str, str, int]] = field(default_factory=list)  # (payer's user id, charge id, amount)

    async def refund(self, payer: PersonRef, charge_id: str, amount: int, currency: str) -> None:
        if any(charge == charge_id for _, charge, _ in self.refunded):
            raise AlreadyRefunded(charge_id)
        self.refunded.append((payer.user_id, charge_id, amount))
