"""``/healthz`` for load balancers and supervisors; ``/metrics`` in Prometheus' text format, for the metrics
listener only (``METRICS_PORT``): it tells anyone who can reach it how busy the bot is and how its Zoom calls
fare, and the documented reverse proxy forwards every path of the public port."""

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

    return [Route("/healthz", healthz, methods=["GET"])]


def metrics_routes(health: Health) -> list[Route]:
    async def metrics(_request: Request) -> Response:
        return Response(await health.metrics_text(), media_type=CONTENT_TYPE)

    return [Route("/metrics", metrics, methods=["GET"])]
