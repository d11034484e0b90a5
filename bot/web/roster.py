"""A class's roster as a spreadsheet behind the link a Slack teacher was sent (``bot.core.roster_links``).

The file names children and parents, so it is never cached and sends no referrer; a refusal is a small page in
the language the link was asked for, saying how to get a new link.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.errors import Conflict, CoreError, NotFound
from bot.core.roster_links import ROSTER_PATH
from bot.core.services import Services
from bot.i18n.texts import tr
from bot.web.pages import browser_translator, page

_STATUS = {NotFound: 404, Conflict: 410}  # an expired link: gone for good


def roster_routes(services: Services) -> list[Route]:
    async def roster(request: Request) -> Response:
        token = request.path_params["token"]
        links = services.roster_links
        language = links.language_of(token)
        t = services.catalogs.translator(language) if language else browser_translator(request, services.catalogs)
        try:
            name, body = await links.roster_csv(token, t)
        except CoreError as refusal:
            return page(t, tr("No roster"), refusal.text, status_code=_STATUS.get(type(refusal), 403))
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return [Route(ROSTER_PATH + "{token}", roster, methods=["GET"])]
