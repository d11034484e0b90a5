"""The composition root: builds every part of ClassBot once, from the settings, and tears it down in reverse.

Nothing is built at import time and nothing is global: ``build_components`` is the one place that knows which
concrete adapter fills which port. The runtime (``bot.runtime``) serves HTTP around the result.

Each chat platform's front end is imported when that platform is configured: Slack's SDK (with aiohttp) takes
about a third of a second to import on a fast machine, a cost a Telegram-only process never pays.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.core.audience import Audience
from bot.core.bookings import BookingService
from bot.core.calendar_links import CalendarLinks
from bot.core.classes import ClassService
from bot.core.communities import CommunityService
from bot.core.connect import CONFIRMATION_EXPIRED_JOB, ConnectService, ReconnectAlerts
from bot.core.conversations import Conversations
from bot.core.delivery import Delivery
from bot.core.health import Health
from bot.core.inbound import Inbound
from bot.core.languages import LanguageService
from bot.core.meetings import MeetingKeeper, MeetingNotReady, ZoomNotConfigured
from bot.core.membership import Memberships, MembershipSource
from bot.core.notify import (
    NOTIFY_JOB,
    Messenger,
    NotificationDelivery,
    Notifier,
    RecipientUnreachable,
    reachable_again,
)
from bot.core.outages import retry_delay as outage_retry_delay
from bot.core.payments import STRIPE, TELEGRAM_CARD, TELEGRAM_STARS, PaymentService
from bot.core.prices import Currencies, Takes
from bot.core.privacy import PrivacyService
from bot.core.refunds import Refunder
from bot.core.reports import Reports
from bot.core.roster_links import RosterLinks
from bot.core.services import Services
from bot.core.worker import JobWorker
from bot.core.zoom_answers import RETRY_LATER_SECONDS
from bot.core.zoom_answers import retry_delay as zoom_retry_delay
from bot.core.zoom_authorization import ZoomAuthorization
from bot.core.zoom_events import ZOOM_EVENT_JOB, ZoomEvents
from bot.core.zoom_reactions import ZoomReactions
from bot.core.zoom_tokens import ZoomTokenKeeper
from bot.i18n.catalogs import Catalogs
from bot.storage.cipher import SecretCipher, load_keys
from bot.storage.database import Database, DatabaseUnavailable
from bot.storage.jobs import JobQueue, call_when_queued
from bot.storage.migrate import upgrade_to_head
from bot.support.clock import Clock, utc_now
from bot.support.crash_points import CrashPoints
from bot.support.metrics import Metrics
from bot.zoom.client import ZoomClient
from bot.zoom.oauth import ZoomOAuth
from bot.zoom.ratelimit import ZoomRateLimiter
from bot.zoom.retry import RetryPolicy
from bot.zoom.transport import ZoomTransport

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from bot.handlers.slack.frontend import SlackFrontEnd, SlackPlatform
    from bot.handlers.telegram.frontend import TelegramFrontEnd, TelegramPlatform
    from bot.payments_stripe.charges import StripeChargeRefunder
    from bot.payments_stripe.checkout import StripeCheckout
    from bot.payments_stripe.webhook import StripeWebhook

log = logging.getLogger(__name__)

# Zoom answers within seconds or not at all; a slow call is retried by the client rather than waited on.
_HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# A person who never opened the bot's private chat: look again at most hourly (opening the chat sends at once).
_UNREACHABLE_RECHECK_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class ZoomParts:
    """Zoom's adapters, present when the Zoom OAuth app is configured."""

    oauth: ZoomOAuth
    tokens: ZoomTokenKeeper
    client: ZoomClient
    connect: ConnectService


@dataclass(frozen=True, slots=True)
class Components:
    """Every part of one process, built once: what the entry points (runtime, demo, tests) hold on to.

    Front ends and web routes never see this: they are handed ``services`` (``bot.core.services``).
    """

    settings: Settings
    clock: Clock
    metrics: Metrics
    database: Database
    cipher: SecretCipher
    http: httpx.AsyncClient
    jobs: JobQueue
    worker: JobWorker
    inbound: Inbound
    zoom_events: ZoomEvents
    zoom: ZoomParts | None
    classes: ClassService
    bookings: BookingService
    payments: PaymentService
    calendar_links: CalendarLinks
    meetings: MeetingKeeper
    communities: CommunityService
    privacy: PrivacyService
    catalogs: Catalogs
    languages: LanguageService
    services: Services
    telegram: TelegramFrontEnd | None
    slack: SlackFrontEnd | None
    stripe: StripeWebhook | None = None  # Stripe's webhook receiver, when card payments are set up


@asynccontextmanager
async def build_components(
    settings: Settings,
    *,
    migrate: bool = True,
    notifiers: Mapping[str, Notifier] | None = None,
    clock: Clock = utc_now,
    zoom_retry: RetryPolicy | None = None,
    start_worker: bool = True,
    http_timeout: httpx.Timeout = _HTTP_TIMEOUT,
    membership_sources: Mapping[str, MembershipSource] | None = None,
    refunders: Mapping[str, Refunder] | None = None,
) -> AsyncIterator[Components]:
    """Build the parts (migrating the database first unless told not to); close them in reverse on exit.

    ``notifiers`` adds or replaces front ends by platform name (tests and the demo use it); ``http_timeout``
    is how long a call to Zoom waits for an answer (tests of a Zoom that does not answer make it short);
    ``membership_sources`` the platforms' word on who is in which community; ``refunders`` adds or replaces the
    payment providers' refunds by provider name.
    """
    async with AsyncExitStack() as stack:
        database = Database.connect(settings.database_url)
        stack.push_async_callback(database.dispose)
        if migrate:
            await upgrade_to_head(database)
        cipher = SecretCipher(load_keys(_secret(settings.encryption_key), settings.data_dir))
        http = await stack.enter_async_context(
            httpx.AsyncClient(timeout=http_timeout, headers={"User-Agent": "ClassBot"})
        )
        metrics = Metrics()
        crash_points = CrashPoints.from_setting(settings.classbot_crash_at)  # unarmed unless a test armed it
        jobs = JobQueue(database)
        worker = JobWorker(
            jobs,
            clock=clock,
            retry_delay=_retry_delay,
            metrics=metrics,
            dead_job_retention=timedelta(days=settings.dead_job_retention_days),
            lease=timedelta(seconds=settings.job_lease_seconds),
        )
        call_when_queued(database, worker.wake)
        jobs.when_made_due(worker.wake)
        zoom_events = ZoomEvents(database, clock=clock)
        zoom = _build_zoom(settings, database, cipher, http, clock, zoom_retry or RetryPolicy(), metrics)
        if zoom is not None:
            zoom_events.on("app_deauthorized", lambda event: zoom.connect.deauthorized(event.zoom_user_id or ""))
            worker.register(CONFIRMATION_EXPIRED_JOB, zoom.connect.confirmation_expired)
        # The platforms' parts come first: the messenger sends through their notifiers.
        telegram_platform = _telegram_platform(settings) if settings.telegram_configured else None
        slack_platform = _slack_platform(settings, database, cipher) if settings.slack_configured else None
        front_ends: dict[str, Notifier] = {}
        if telegram_platform is not None:
            front_ends["telegram"] = telegram_platform.notifier
        if slack_platform is not None:
            front_ends["slack"] = slack_platform.notifier
        sources: dict[str, MembershipSource] = {}
        if telegram_platform is not None:
            sources["telegram"] = telegram_platform.members
        if slack_platform is not None:
            sources["slack"] = slack_platform.members
        memberships = Memberships({**sources, **(membership_sources or {})}, clock=clock)
        audience = Audience(database, memberships, clock=clock)
        catalogs = Catalogs()  # each language's catalog is read when first needed
        messenger = Messenger(database, {**front_ends, **(notifiers or {})}, metrics, catalogs=catalogs, clock=clock)
        meetings = MeetingKeeper(
            database,
            cipher,
            zoom.client if zoom else None,
            clock=clock,
            public_url=settings.public_url,
            metrics=metrics,
            crash_points=crash_points,
        )
        hold = timedelta(seconds=settings.payment_hold_seconds)
        cards = _stripe_checkout(settings, clock) if settings.stripe_configured else None
        # Telegram takes Stars, and its provider's one currency by card when a provider token is set (a class
        # priced in XTR is still paid in Stars); Slack takes money by Stripe.
        currencies = Currencies({"telegram": _telegram_takes(settings), "slack": Takes(money=cards is not None)})
        classes = ClassService(
            database, meetings, audience, clock=clock, crash_points=crash_points, currencies=currencies
        )
        if cards is not None:
            stack.push_async_callback(cards.close)
        bookings = BookingService(
            database,
            meetings,
            audience,
            clock=clock,
            jobs=jobs,
            metrics=metrics,
            crash_points=crash_points,
            hold=hold,
            currencies=currencies,
        )
        providers: dict[str, Refunder] = {}
        if telegram_platform is not None:
            providers[TELEGRAM_STARS] = telegram_platform.refunder
        if cards is not None:
            providers[STRIPE] = cards
        if cards is not None and settings.telegram_takes_cards:
            # Telegram refunds only Stars; a card payment is given back at its provider, Stripe (settings make
            # sure STRIPE_SECRET_KEY is there whenever a provider token is).
            providers[TELEGRAM_CARD] = _stripe_charge_refunder(cards)
        payments = PaymentService(database, {**providers, **(refunders or {})}, clock=clock, hold=hold, checkout=cards)
        payments.register(worker)
        Delivery(
            database, meetings, messenger, clock=clock, cancel_class=classes.cancel, crash_points=crash_points
        ).register(worker)
        ZoomReactions(database, meetings, clock=clock).register(zoom_events)
        privacy = PrivacyService(database, bookings, classes, meetings, zoom.connect if zoom else None, clock=clock)
        privacy.register(worker)
        worker.register(NOTIFY_JOB, NotificationDelivery(messenger))
        worker.register(ZOOM_EVENT_JOB, zoom_events.process)
        if start_worker:
            await _say_what_resumes(jobs, clock)
            worker.start()
            stack.push_async_callback(worker.stop)
        _announce_front_ends(settings)
        calendar_links = CalendarLinks(bookings, cipher, public_url=settings.public_url, clock=clock)
        communities = CommunityService(database, audience, clock=clock)
        languages = LanguageService(database)
        inbound = Inbound(database, clock=clock)
        worker.keep_house_with("redelivery keys forgotten", inbound.forget_old)
        worker.keep_house_with("classes moved on to their next session", classes.move_on_passed_starts)
        reports = Reports(database, classes, clock=clock)
        roster_links = RosterLinks(classes, reports, cipher, public_url=settings.public_url, clock=clock)
        services = Services(
            clock=clock,
            catalogs=catalogs,
            metrics=metrics,
            health=Health(database, jobs, metrics, clock=clock),
            inbound=inbound,
            conversations=Conversations(database, clock=clock, platform="telegram"),
            classes=classes,
            bookings=bookings,
            payments=payments,
            communities=communities,
            languages=languages,
            privacy=privacy,
            reports=reports,
            calendar_links=calendar_links,
            roster_links=roster_links,
            zoom_events=zoom_events,
            connect=zoom.connect if zoom else None,
            resend_waiting=lambda: reachable_again(database, clock()),
        )
        # The front ends come last, given only the services.
        telegram = _telegram_front_end(telegram_platform, services) if telegram_platform else None
        slack = _slack_front_end(slack_platform, services) if slack_platform else None
        components = Components(
            settings=settings,
            clock=clock,
            metrics=metrics,
            database=database,
            cipher=cipher,
            http=http,
            jobs=jobs,
            worker=worker,
            inbound=inbound,
            zoom_events=zoom_events,
            zoom=zoom,
            classes=classes,
            bookings=bookings,
            payments=payments,
            calendar_links=calendar_links,
            meetings=meetings,
            communities=communities,
            privacy=privacy,
            catalogs=catalogs,
            languages=languages,
            services=services,
            telegram=telegram,
            slack=slack,
            stripe=_stripe_webhook(settings, cards, payments) if cards is not None else None,
        )
        if telegram is not None:
            await telegram.start()
            stack.push_async_callback(telegram.stop)  # stopped first: no new updates while the rest closes
        if slack is not None:
            await slack.start()
            stack.push_async_callback(slack.stop)  # stopped first too: no new deliveries, work in flight drains
        yield components


def create_web_app(components: Components) -> Starlette:
    """The process's Starlette app: each route is handed the services and the settings it needs."""
    from bot.web.app import web_app

    return web_app(
        components.services,
        components.settings,
        telegram=components.telegram,
        slack=components.slack,
        stripe=components.stripe,
    )


def create_metrics_app(components: Components) -> Starlette:
    """The metrics listener's app: ``/metrics`` and nothing else."""
    from bot.web.app import metrics_app

    return metrics_app(components.services)


def _build_zoom(
    settings: Settings,
    database: Database,
    cipher: SecretCipher,
    http: httpx.AsyncClient,
    clock: Clock,
    retry: RetryPolicy,
    metrics: Metrics,
) -> ZoomParts | None:
    client_id, client_secret = settings.zoom_client_id, _secret(settings.zoom_client_secret)
    if client_id is None or client_secret is None:
        log.info("Zoom is not configured (ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET): classes will have no Zoom links")
        return None
    oauth = ZoomOAuth(
        http,
        oauth_url=settings.zoom_oauth_url,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=settings.zoom_redirect_uri,
    )
    alerts = ReconnectAlerts(database, cipher, clock=clock)
    tokens = ZoomTokenKeeper(database, cipher, oauth, clock=clock, on_reconnect_needed=alerts.reconnect_needed)
    limiter = ZoomRateLimiter() if settings.zoom_paced else None
    client = ZoomClient(
        ZoomTransport(http, settings.zoom_api_url, tokens, retry=retry, limiter=limiter, clock=clock, metrics=metrics)
    )
    connect = ConnectService(
        database,
        cipher,
        ZoomAuthorization(oauth, client, clock=clock),
        start_url=settings.public_url.rstrip("/") + "/zoom/oauth/start",
        clock=clock,
        on_tokens_replaced=tokens.forget,
    )
    return ZoomParts(oauth=oauth, tokens=tokens, client=client, connect=connect)


def _retry_delay(failure: BaseException, attempts: int, failing_for: timedelta) -> float | None:
    """How long a failed job waits, for the failures whose right wait is known (Zoom's: ``zoom_answers``; a chat
    platform's outage: ``outages``); None leaves the worker's bounded backoff for the rest."""
    zoom = zoom_retry_delay(failure, attempts)
    if zoom is not None:
        return zoom
    outage = outage_retry_delay(failure, attempts, failing_for)
    if outage is not None:
        return outage
    if isinstance(failure, RecipientUnreachable):
        # A minute, then longer: opening the chat sends at once, and this covers opening it mid-attempt.
        return float(min(_UNREACHABLE_RECHECK_SECONDS, 60.0 * 2.0 ** max(0, attempts - 1)))
    if isinstance(failure, MeetingNotReady):
        return 1.0
    if isinstance(failure, ZoomNotConfigured):
        return RETRY_LATER_SECONDS
    return None


async def _say_what_resumes(jobs: JobQueue, clock: Clock) -> None:
    """Log the queue by kind as the worker starts: after a restore, an upgrade or a crash, the operator reads
    what the process is about to resume (the links and reminders a restored backup still owed) in one line.

    A database that does not answer yet is not a reason not to start: /healthz says so, and the worker waits."""
    try:
        counts = await jobs.by_kind(clock())
    except (OSError, SQLAlchemyError, DatabaseUnavailable) as failure:
        log.warning(
            "could not read the queued work at start (%s); the worker resumes it once the database answers",
            type(failure).__name__,
        )
        return
    pending = [count for count in counts if count.pending]
    if not pending:
        log.info("resuming queued work: none")
        return
    parts = ", ".join(
        f"{count.kind} {count.pending} ({count.due} due now, {count.later} later, {count.running} were running)"
        for count in pending
    )
    log.info("resuming queued work: %s", parts)


def _announce_front_ends(settings: Settings) -> None:
    if not (settings.telegram_configured or settings.slack_configured):
        log.warning(
            "No chat front end is configured, so only the web server runs: set TELEGRAM_BOT_TOKEN for Telegram "
            "and/or SLACK_BOT_TOKEN with SLACK_APP_TOKEN (or SLACK_SIGNING_SECRET) for Slack."
        )


def _secret(value: object) -> str | None:
    get = getattr(value, "get_secret_value", None)
    return get() if get is not None else None


def _stripe_checkout(settings: Settings, clock: Clock) -> StripeCheckout:
    from bot.payments_stripe.checkout import StripeCheckout  # the SDK is imported only when Stripe is set up

    key = _secret(settings.stripe_secret_key)
    assert key is not None
    return StripeCheckout(key, settings.stripe_api_url, public_url=settings.public_url, clock=clock)


def _telegram_takes(settings: Settings) -> Takes:
    currency = settings.telegram_payment_currency
    if not settings.telegram_takes_cards or currency is None:
        return Takes(stars=True)
    return Takes(stars=True, money=True, money_in=frozenset({currency}))


def _stripe_charge_refunder(checkout: StripeCheckout) -> StripeChargeRefunder:
    from bot.payments_stripe.charges import StripeChargeRefunder

    return StripeChargeRefunder(checkout.client)


def _stripe_webhook(settings: Settings, checkout: StripeCheckout, payments: PaymentService) -> StripeWebhook:
    from bot.payments_stripe.webhook import StripeWebhook

    secret = _secret(settings.stripe_webhook_secret)
    assert secret is not None
    return StripeWebhook(checkout.client, secret, payments)


def _telegram_platform(settings: Settings) -> TelegramPlatform:
    from bot.handlers.telegram.frontend import TelegramPlatform  # imported when configured (module docstring)

    return TelegramPlatform(settings)


def _telegram_front_end(platform: TelegramPlatform, services: Services) -> TelegramFrontEnd:
    from bot.handlers.telegram.frontend import TelegramFrontEnd

    return TelegramFrontEnd(platform, services)


def _slack_platform(settings: Settings, database: Database, cipher: SecretCipher) -> SlackPlatform:
    from bot.handlers.slack.frontend import SlackPlatform  # imported when configured (module docstring)

    return SlackPlatform(settings, database, cipher)


def _slack_front_end(platform: SlackPlatform, services: Services) -> SlackFrontEnd:
    from bot.handlers.slack.frontend import SlackFrontEnd

    return SlackFrontEnd(platform, services)
