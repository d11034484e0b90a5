"""The Telegram front end's lifecycle: python-telegram-bot's Application inside our own event loop.

We never call ``run_polling()``: the process already runs an asyncio loop (uvicorn's), so the Application is
initialized, started and stopped by the composition root, and updates arrive either by ``getUpdates`` long
polling (the default, ``Poller``) or by webhook, through our Starlette app, which checks Telegram's secret-token
header; both hand each update to ``feed``, which handles it once.

Two parts, built at two moments: ``TelegramPlatform`` (the Application and the notifier) first, because the
core's messenger needs the notifier; ``TelegramFrontEnd`` last, given the core's ``Services``, registers the
handlers and runs the whole.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PreCheckoutQueryHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.core.services import Services
from bot.core.words.replies import SORRY, TRY_AGAIN_IN_A_MINUTE
from bot.handlers.telegram.buttons import TelegramHandlers
from bot.handlers.telegram.commands import bot_commands
from bot.handlers.telegram.members import TelegramMembers
from bot.handlers.telegram.notifier import TelegramNotifier
from bot.handlers.telegram.pacing import ChatPacer
from bot.handlers.telegram.payments import StarRefunder, TelegramInvoices
from bot.handlers.telegram.polling import Poller
from bot.handlers.telegram.transport import AiohttpRequest
from bot.i18n.languages import SOURCE, SUPPORTED, supported
from bot.storage.database import DatabaseUnavailable, is_unavailable
from bot.support.logs import bind_log_ids

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member", "pre_checkout_query"]
WEBHOOK_PATH = "/telegram/webhook"


class TelegramPlatform:
    """python-telegram-bot's Application and the notifier the core sends through."""

    def __init__(self, settings: Settings) -> None:
        token = settings.telegram_bot_token
        assert token is not None
        builder = (
            ApplicationBuilder()
            .token(token.get_secret_value())
            .base_url(settings.telegram_base_url)
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(connection_pool_size=1))  # one long poll at a time
            .rate_limiter(ChatPacer(messages_per_second=settings.telegram_messages_per_second))
            .concurrent_updates(64)  # each person's flow state is in the database, so updates may overlap
        )
        # No Updater in either mode: webhook updates are fed by our endpoint, polled ones by ``Poller``, which
        # confirms an update to Telegram only once it is stored.
        builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.notifier = TelegramNotifier(self.application.bot)
        self.members = TelegramMembers(self.application.bot)
        self.refunder = StarRefunder(self.application.bot)
        card_token = settings.telegram_payment_provider_token
        self.invoices = TelegramInvoices(card_token.get_secret_value() if card_token is not None else None)
        self.settings = settings


class TelegramFrontEnd:
    """The handlers over the core's services, on the platform's Application: started and stopped as one."""

    def __init__(self, platform: TelegramPlatform, services: Services) -> None:
        self.platform = platform
        self.application = platform.application
        self._settings = platform.settings
        self._services = services
        self._handling: dict[int, float] = {}
        self._met_outage: set[int] = set()  # webhook updates whose handling found the database away
        self._feeding: dict[int, asyncio.Future[bool]] = {}  # webhook updates being handled, by update_id
        self._poller: Poller | None = None  # polling mode's getUpdates loop, while running
        handlers = self._handlers = TelegramHandlers(services, platform.invoices)
        commands = {
            "start": handlers.start,
            "help": handlers.help,
            "connect": handlers.connect,
            "disconnect": handlers.disconnect,
            "timezone": handlers.timezone,
            "language": handlers.language,
            "newclass": handlers.new_class,
            "myclasses": handlers.my_classes,
            "classes": handlers.classes,
            "mybookings": handlers.my_bookings,
            "cancel": handlers.cancel,
            "setup": handlers.setup,
            "approve": handlers.approve,
            "forgetme": handlers.forget_me,
            "stats": handlers.stats,
        }
        app = self.application
        # Groups run in order for each update: -1 notes the start, 1000 (after every handler) the end.
        app.add_handler(TypeHandler(Update, self._started), group=-1)
        app.add_handler(TypeHandler(Update, self._finished), group=1000)
        for name, callback in commands.items():
            app.add_handler(CommandHandler(name, callback))
        app.add_handler(CallbackQueryHandler(handlers.press))
        app.add_handler(PreCheckoutQueryHandler(handlers.pre_checkout))
        app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, handlers.successful_payment))
        app.add_handler(MessageHandler(filters.COMMAND, handlers.unknown_command))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.text))
        app.add_error_handler(self._on_error)

    async def start(self) -> None:
        app = self.application
        await app.initialize()  # getMe: a wrong token stops start-up here
        catalogs = self._services.catalogs
        # The menu in each language we speak; Telegram shows users without one of them the default (English).
        await app.bot.set_my_commands(bot_commands(catalogs.translator(SOURCE)))
        for code in SUPPORTED:
            if code != SOURCE:
                await app.bot.set_my_commands(bot_commands(catalogs.translator(code)), language_code=code)
        if self._settings.telegram_webhook:
            secret = self._settings.telegram_webhook_secret
            assert secret is not None
            await app.bot.set_webhook(
                url=self._settings.public_url.rstrip("/") + WEBHOOK_PATH,
                secret_token=secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            await app.bot.delete_webhook()
        await app.start()
        if not self._settings.telegram_webhook:
            self._poller = Poller(app.bot, self.feed, allowed_updates=ALLOWED_UPDATES, timeout=20)
            self._poller.start()
        mode = "webhook" if self._settings.telegram_webhook else "polling"
        log.info("Telegram front end running as @%s (%s)", app.bot.username, mode)

    async def stop(self) -> None:
        """Stop taking updates, let handlers in flight finish, then close the HTTP session."""
        app = self.application
        if self._poller is not None:
            await self._poller.stop()
            self._poller = None
        if app.running:
            await app.stop()
        await app.shutdown()

    async def feed(self, data: dict[str, Any]) -> bool:
        """Handle a webhook update before answering; False for one already handled (by any process).

        Telegram keeps an update until our answer confirms it. Answering only after the handlers ran means a
        crash mid-way leaves the update with Telegram, which sends it again; it is recorded as handled only once
        the handlers are done. (Handlers are idempotent where it matters: a booking is keyed by its update.)

        Telegram also sends an update again when our answer is slow (a SQLite file locked for a while holds the
        handlers up): a copy that arrives while this process still works on the update waits for that work and
        gets its outcome, instead of running the handlers a second time (and replying twice).
        """
        update_id = int(data["update_id"])
        working = self._feeding.get(update_id)
        if working is None:
            working = asyncio.ensure_future(self._feed(data))
            self._feeding[update_id] = working
            working.add_done_callback(lambda _: self._feeding.pop(update_id, None))
        return await asyncio.shield(working)

    async def _feed(self, data: dict[str, Any]) -> bool:
        inbound = self._services.inbound
        update = Update.de_json(data, self.application.bot)
        key = str(update.update_id)
        if await inbound.already_handled("telegram", key):
            return False
        await self.application.process_update(update)
        if update.update_id in self._met_outage:
            # Not marked handled: the caller answers non-2xx and Telegram delivers the update again later.
            self._met_outage.discard(update.update_id)
            raise DatabaseUnavailable(f"update {update.update_id} met a database outage")
        try:
            await inbound.mark_handled("telegram", key)
        except Exception as failure:
            if not (is_unavailable(failure) and self._handlers.has_answered(update)):
                raise
            # The person has their answer: delivered again, the update would be answered twice.
            log.warning("update %s answered but not recorded as handled: the database is away", key)
        return True

    async def _started(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bind_log_ids(update_id=update.update_id)  # this update's task: every line it logs carries the id
        if len(self._handling) < 10_000:  # an update that never finishes must not grow this forever
            self._handling[update.update_id] = time.perf_counter()

    async def _finished(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        started = self._handling.pop(update.update_id, None)
        if started is not None:
            self._services.metrics.observe(
                "classbot_update_seconds", time.perf_counter() - started, platform="telegram"
            )

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        away = context.error is not None and is_unavailable(context.error)
        if away and isinstance(update, Update) and self._handlers.has_answered(update):
            # The person has their answer; what was left (noting the answer, making links due) waits for the
            # database on its own. Delivered again, the update would be answered twice.
            log.warning("a Telegram update met a database outage after it was answered; it is done with")
            return
        if away and isinstance(update, Update):
            # Not recorded as handled: Telegram sends the update again until our webhook answers it 2xx, and the
            # poller asks for it again (see ``feed``, ``Poller``); nothing to tell the person.
            log.warning("a Telegram update met a database outage; it will be handled once the database is back")
            if len(self._met_outage) < 10_000:
                self._met_outage.add(update.update_id)
            return
        log.error("a Telegram update failed: %s", type(context.error).__name__, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            user = update.effective_user
            # The database may be what failed: the language Telegram reports is the one at hand.
            hint = supported(user.language_code) if user is not None else None
            words = self._services.catalogs.translator(hint)(TRY_AGAIN_IN_A_MINUTE if away else SORRY)
            try:
                await update.effective_chat.send_message(words)
            except Exception:  # the chat may be unreachable: the error is already logged
                log.debug("could not tell the chat about the failure")
