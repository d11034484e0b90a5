"""``/healthz`` for load balancers and supervisors, and ``/metrics`` in Prometheus' text format."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.health import Health
from bot.support.metrics import CONTENT_TYPE


def health_routes(health: Health) -> list[Route]:
    async def healthz(_request: Request) -> Response:
        if await health.database_answers():
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable", "reason": "database is not answering"}, status_code=503)

    async def metrics(_request: Request) -> Response:
        return Response(await health.metrics_text(), media_type=CONTENT_TYPE)

    return [Route("/healthz", healthz, methods=["GET"]), Route("/metrics", metrics, methods=["GET"])]
