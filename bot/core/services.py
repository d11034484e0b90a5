"""The use cases a chat front end or a web route may call, and nothing else.

The composition root (``bot.app``) builds every part once and hands front ends and routes this narrow, frozen
record: none of them builds a core service, opens the database or knows which adapter fills which port.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.bookings import BookingService
from bot.core.calendar_links import CalendarLinks
from bot.core.classes import ClassService
from bot.core.communities import CommunityService
from bot.core.connect import ConnectService
from bot.core.conversations import Conversations
from bot.core.health import Health
from bot.core.inbound import Inbound
from bot.core.languages import LanguageService
from bot.core.payments import PaymentService
from bot.core.privacy import PrivacyService
from bot.core.reports import Reports
from bot.core.roster_links import RosterLinks
from bot.core.zoom_events import ZoomEvents
from bot.i18n.catalogs import Catalogs
from bot.support.clock import Clock
from bot.support.metrics import Metrics


@dataclass(frozen=True, slots=True)
class Services:
    clock: Clock
    catalogs: Catalogs
    metrics: Metrics
    health: Health
    inbound: Inbound  # updates already handled, by this process or another
    conversations: Conversations  # the state of Telegram's guided, several-message flows
    classes: ClassService
    bookings: BookingService
    payments: PaymentService  # paid classes: invoices, the provider's checks, payments
    communities: CommunityService
    languages: LanguageService
    privacy: PrivacyService
    reports: Reports
    calendar_links: CalendarLinks
    roster_links: RosterLinks  # Slack's teachers get the roster .csv behind a one-hour link
    zoom_events: ZoomEvents
    connect: ConnectService | None  # None when no Zoom app is configured
    resend_waiting: Callable[[], Awaitable[None]]  # someone became reachable: messages that waited go out now
