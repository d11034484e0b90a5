"""``/privacy`` and ``/support``: the two pages Zoom's Marketplace review asks every app to link to, and the ones a
parent or teacher can be sent to. They say what this code does (what it keeps, how it is deleted, where to get
help), so they are written once here and translated like every other text, in the browser's language.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.services import Services
from bot.i18n.texts import tr
from bot.web.pages import browser_translator, page

PRIVACY_TITLE = tr("Privacy")
PRIVACY = (
    tr(
        "ClassBot lets a community list kids' online classes in its chat and book seats in them; each person "
        "privately gets the Zoom link they need. It is run by the people who set it up for your community."
    ),
    tr(
        "What it keeps: your chat account's id, name and language; for a parent, the bookings and the children's "
        "names typed when booking; for a teacher, the classes and, once Zoom is connected, the Zoom account's user "
        "id, name, e-mail address, plan and timezone and its authorization. Zoom authorizations and links are "
        "stored encrypted. From Zoom's notices it also records who joined each session, to count attendance."
    ),
    tr(
        "What it does with it: it creates, changes and cancels the teachers' Zoom meetings for their classes, and "
        "sends each person their own links, reminders and news of their classes. On a paid Zoom account a booked "
        "child is registered with the meeting under the name typed, so that the teacher sees who joins. Nothing "
        "is sold or given to anyone else, and ClassBot's logs hold no link, token or name."
    ),
    tr(
        "Deleting it: /forgetme in the bot's private chat (/classbot forgetme in Slack) cancels your bookings and "
        "classes and deletes everything ClassBot keeps about you. /disconnect (/classbot disconnect in Slack), or "
        "removing ClassBot from the apps added to your Zoom account, ends its access to Zoom and deletes your "
        "Zoom data at once; your classes and bookings stay until you delete them."
    ),
)

SUPPORT_TITLE = tr("Help with ClassBot")
SUPPORT = (
    tr(
        "In a chat with ClassBot, /help (/classbot help in Slack) lists what it can do. Teachers connect Zoom "
        "with /connect and list a class with /newclass; parents book with the Book a seat button of a class."
    ),
    tr(
        "Links and reminders arrive in your private chat with ClassBot, never in a group. If one does not arrive, "
        "open that private chat (in Telegram, press Start): what ClassBot could not send you arrives then."
    ),
    tr(
        "If Zoom stops working for a teacher, /disconnect and then /connect again. For anything else, ask the "
        "admins of your group or workspace: they run ClassBot for your community."
    ),
    tr(
        "To remove ClassBot from your Zoom account, send /disconnect, or remove it from the apps added to your "
        "account in Zoom's App Marketplace; either way ClassBot deletes its Zoom authorization and your Zoom data."
    ),
)


def info_routes(services: Services) -> list[Route]:
    async def privacy(request: Request) -> Response:
        first, *more = PRIVACY
        return page(browser_translator(request, services.catalogs), PRIVACY_TITLE, first, more=more)

    async def support(request: Request) -> Response:
        first, *more = SUPPORT
        return page(browser_translator(request, services.catalogs), SUPPORT_TITLE, first, more=more)

    return [Route("/privacy", privacy, methods=["GET"]), Route("/support", support, methods=["GET"])]
