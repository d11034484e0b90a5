"""What every Slack listener shares: who acts and where, answering privately, core refusals, and doing each
delivery's work once.

Bolt hands each listener one ``AsyncArgs``. A listener acknowledges first (Slack waits 3 seconds at most) and
then works; Bolt returns the acknowledgement to Slack at once and lets the work go on. Slack retries events it
thinks were lost, and a proxy may repeat any request: ``first_time`` records each delivery (an event by its
``event_id``, a command or interaction by its ``trigger_id``, which every delivery gets anew and a repeat keeps)
in the database shared by every process, so the work happens once.

Answers that carry a link always go by direct message. Other answers go where the person acted: as an ephemeral
reply through the ``response_url`` when there is one (a command, a message button), else by direct message.

Answers are in the person's language: their choice (``/classbot language``), else their Slack locale, asked
once with ``users.info`` (``include_locale``) and kept with the person, so later answers need no Slack call; the same
answer's ``tz`` is kept too, so class times are also shown as the person's clock reads them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from functools import wraps
from typing import Any

from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.bookings import minutes_of
from bot.core.communities import CommunityRef
from bot.core.errors import CoreError
from bot.core.messages import Message
from bot.core.services import Services
from bot.core.words.replies import SORRY, TRY_AGAIN_IN_A_MINUTE, checkout_offer
from bot.handlers.slack.blocks import MAX_SECTION, message_blocks, plain, text_sections
from bot.handlers.slack.home import HomeTab
from bot.i18n.languages import supported
from bot.i18n.texts import Text
from bot.i18n.translator import Translator
from bot.storage.database import is_unavailable
from bot.storage.identity import PersonRef
from bot.support.logs import bind_log_ids

log = logging.getLogger(__name__)

PLATFORM = "slack"
PROFILE_WITHIN = 1.0  # seconds a person's Slack profile (users.info) is waited for before answering without it
Listener = Callable[[AsyncArgs], Awaitable[None]]


def person_of(args: AsyncArgs, said: Translator | None = None) -> PersonRef:
    """The person who acted, in the workspace where the app answers them; ``said``, the translator the caller
    already has for them (see ``SlackBase.translator``), gives the language and timezone kept with the person if
    this action makes their row."""
    body = args.body
    user = body.get("user")
    if isinstance(user, Mapping):
        user_id, name = str(user.get("id", "")), str(user.get("username") or user.get("name") or "")
    else:
        event = body.get("event") or {}
        user_id = str(body.get("user_id") or event.get("user") or args.context.user_id or "")
        name = str(body.get("user_name") or "")
    language, zone = (said.code, said.reader_zone) if said is not None else (None, None)
    return PersonRef(PLATFORM, user_id, args.context.team_id or "", name[:200], language, timezone=zone)


def channel_of(args: AsyncArgs) -> str | None:
    """The conversation where the person acted, if it is a channel (not a DM with the app, not the Home tab)."""
    channel = args.context.channel_id or ""
    return channel if channel[:1] in ("C", "G") else None


def community(args: AsyncArgs, channel_id: str, title: str = "") -> CommunityRef:
    return CommunityRef(PLATFORM, channel_id, args.context.team_id or "", title[:200])


def delivery_key(body: Mapping[str, Any]) -> str | None:
    """What stays the same when Slack (or anything between) delivers the same request again."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    return None


async def is_workspace_admin(client: AsyncWebClient, user_id: str) -> bool:
    """Slack's word, never the request's: an admin or owner of the workspace, as users.info says now."""
    found = await client.users_info(user=user_id)
    user = found.get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


class SlackBase:
    """Holds the core services and the Home tab; subclasses add listeners for one concern each."""

    def __init__(self, services: Services, home: HomeTab) -> None:
        self.core = services
        self.home = home

    async def translator(self, args: AsyncArgs) -> Translator:
        """The acting person's language and timezone; Slack is asked for their locale and ``tz`` only until we
        know both (one read of the person otherwise)."""
        person = person_of(args)
        language, zone = await self.core.languages.reader(person, lambda: _slack_profile(args, person.user_id))
        return self.core.catalogs.translator(language, zone)

    async def first_time(self, args: AsyncArgs) -> bool:
        key = delivery_key(args.body)
        if key is not None:
            bind_log_ids(slack_request=key)  # this request's task: every line it logs carries the id
        return key is None or await self.core.inbound.first_delivery(PLATFORM, key)

    async def dm(self, args: AsyncArgs, message: Message, *, translator: Translator | None = None) -> None:
        """A direct message to the person who acted (the only way a link is ever sent), in ``translator``'s
        language when the caller has it already for this request, else in theirs."""
        said = message.render(translator or await self.translator(args))
        notice, blocks = message_blocks(said)
        await args.client.chat_postMessage(
            channel=person_of(args).user_id, text=notice, blocks=blocks, unfurl_links=False, unfurl_media=False
        )

    async def send_checkout(self, args: AsyncArgs, booking_public_id: str) -> None:
        """The card payment page for a seat held for the person who acted, by direct message only (the page is
        theirs to pay); refused as the core refuses (not held any more, not theirs)."""
        link = await self.core.payments.checkout(person_of(args), booking_public_id)
        minutes = minutes_of(link.invoice.hold_until - self.core.clock())
        await self.dm(args, checkout_offer(link, minutes))

    async def dm_formatted(self, args: AsyncArgs, mrkdwn: str) -> None:
        """A direct message already in Slack's markup (whatever a person typed in it escaped by the caller)."""
        await args.client.chat_postMessage(
            channel=person_of(args).user_id, text=mrkdwn[:MAX_SECTION], blocks=text_sections(mrkdwn)
        )

    async def answer(self, args: AsyncArgs, text: Text, *, translator: Translator | None = None) -> None:
        """Tell the person who acted, where they acted (never with a link: see ``dm``), in ``translator``'s
        language if given (a person about to be forgotten), else in theirs."""
        mrkdwn = plain((translator or await self.translator(args))(text))
        notice, blocks = mrkdwn[:MAX_SECTION], text_sections(mrkdwn)
        if args.body.get("response_url"):
            await args.respond(text=notice, blocks=blocks, response_type="ephemeral", replace_original=False)
        else:
            await args.client.chat_postMessage(channel=person_of(args).user_id, text=notice, blocks=blocks)

    async def refresh_home(self, args: AsyncArgs) -> None:
        await self.home.refresh_quietly(person_of(args))


def answers_refusals(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """After the ack: a core refusal is told to the person; a database outage with "try again in a minute" (Slack
    never sends an interaction again, so the person must); any other failure is logged and met with an apology."""

    @wraps(listener)
    async def guarded(self: SlackBase, args: AsyncArgs, *rest: Any) -> None:
        try:
            await listener(self, args, *rest)
        except CoreError as refusal:
            await _tell(self, args, refusal.text)
        except SlackApiError as refused:
            log.warning("Slack refused a call: %s", refused.response.get("error"))
            await _tell(self, args, SORRY)
        except Exception as failure:
            if is_unavailable(failure):
                log.warning("a Slack request met a database outage; the person is asked to try again")
                await ask_to_try_again(self.core, args)
                return
            log.exception("a Slack listener failed")
            await _tell(self, args, SORRY)

    return guarded


async def ask_to_try_again(core: Services, args: AsyncArgs) -> None:
    """Tell the person who acted that nothing was done (the database is away) and to try again in a minute: Slack
    never sends a command or an interaction again. In their Slack locale, asked of Slack (their stored language
    is out of reach), as a command's ephemeral answer, else by ``response_url``, else by direct message. An event
    is nobody's action: it is answered 503 before it gets here (see ``bot.web.slack``), or dropped."""
    body = args.body
    if body.get("type") == "event_callback":
        return
    person = person_of(args)
    locale, zone = await _slack_profile(args, person.user_id)
    words = plain(core.catalogs.translator(supported(locale), zone)(TRY_AGAIN_IN_A_MINUTE))
    try:
        if args.ack.response is None:  # not acknowledged yet (a command answers in its acknowledgement)
            if body.get("command"):
                await args.ack(text=words, blocks=text_sections(words))
                return
            await args.ack()
        if body.get("response_url"):
            await args.respond(text=words, response_type="ephemeral", replace_original=False)
        else:
            await args.client.chat_postMessage(channel=person.user_id, text=words)
    except Exception:  # the person cannot be reached now; the outage is logged already
        log.warning("could not ask a Slack user to try again", exc_info=True)


async def _slack_profile(args: AsyncArgs, user_id: str) -> tuple[str | None, str | None]:
    """The person's Slack locale (``es-ES``) and timezone (``tz``, Area/City), each None when Slack does not answer
    at once (English and class times alone then)."""
    try:
        async with asyncio.timeout(PROFILE_WITHIN):  # a listener may still have to use a 3-second trigger_id
            found = await args.client.users_info(user=user_id, include_locale=True)
    except TimeoutError:
        # Said, because it shows: the person is answered in English, without their own time; and under load the
        # call may be dropped before it ever reached Slack.
        log.warning("Slack did not answer users.info in time: answering without the person's locale and timezone")
        return None, None
    except SlackApiError:
        return None, None
    user = found.get("user") or {}
    locale, zone = user.get("locale"), user.get("tz")
    return (str(locale) if locale else None), (str(zone) if zone else None)


async def _tell(base: SlackBase, args: AsyncArgs, text: Text) -> None:
    try:
        await base.answer(args, text)
    except Exception:  # the person cannot be reached now; the failure is logged already
        log.warning("could not tell a Slack user about a refusal or failure", exc_info=True)
