"""The files behind the short-lived links a Slack person is sent by direct message (``bot.core.signed_links``):
a booking's calendar (.ics) and a class's roster (.csv).

The files hold a join link or children's names, so they are never cached and send no referrer; a refusal is a
small page in the language the link was asked for, saying how to get a new link.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.calendar_links import CALENDAR_PATH
from bot.core.errors import Conflict, CoreError, NotFound
from bot.core.roster_links import ROSTER_PATH
from bot.core.services import Services
from bot.i18n.texts import Language, Text, tr
from bot.web.pages import browser_translator, page

_STATUS = {NotFound: 404, Conflict: 410}  # an expired link, or a booking no longer confirmed: gone for good

OpenFile = Callable[[str, Language], Awaitable[tuple[str, bytes]]]  # token, language -> file name, body


def download_routes(services: Services) -> list[Route]:
    calendars, rosters = services.calendar_links, services.roster_links
    calendar = _download(
        services, CALENDAR_PATH, calendars.language_of, calendars.calendar, tr("No calendar"), "text/calendar"
    )
    roster = _download(services, ROSTER_PATH, rosters.language_of, rosters.roster_csv, tr("No roster"), "text/csv")
    return [calendar, roster]


def _download(
    services: Services,
    path: str,
    language_of: Callable[[str], str | None],
    open_file: OpenFile,
    refused_title: Text,
    media_type: str,
) -> Route:
    async def download(request: Request) -> Response:
        token = request.path_params["token"]
        language = language_of(token)
        t = services.catalogs.translator(language) if language else browser_translator(request, services.catalogs)
        try:
            name, body = await open_file(token, t)
        except CoreError as refusal:
            return page(t, refused_title, refusal.text, status_code=_STATUS.get(type(refusal), 403))
        return Response(
            body,
            media_type=f"{media_type}; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return Route(path + "{token}", download, methods=["GET"])
