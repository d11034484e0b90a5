"""Running ClassBot: one asyncio process serving the web app and every configured chat front end.

The public web app listens on ``HTTP_HOST:HTTP_PORT``; ``/metrics`` has a listener of its own on
``METRICS_HOST:METRICS_PORT`` (127.0.0.1 unless set otherwise; none when METRICS_PORT is unset or 0), so that a
reverse proxy forwarding the public port never exposes it.

Shutdown order matters. On SIGTERM or SIGINT the web server stops accepting and finishes in-flight requests;
then the components are torn down in reverse: front ends stop taking updates and finish what they started,
background work drains, and the HTTP clients and the database close. The whole takes a few seconds at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from bot.app import Components, build_components, create_metrics_app, create_web_app
from bot.config import Settings
from bot.support.clock import utc_now
from bot.support.stepped_clock import SteppedClock, clock_from_setting

log = logging.getLogger(__name__)

_GRACEFUL_HTTP_SECONDS = 5


class _EmbeddedServer(uvicorn.Server):
    """Uvicorn without its own signal handling: the runtime owns the signals and tells the server to stop.

    (Uvicorn re-raises a captured signal after it stops, which would end the process with SIGTERM's status
    instead of a clean exit 0.)
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def run_server(settings: Settings) -> None:
    """Serve until stopped, on uvloop where it is installed: the same asyncio, with a faster loop (every
    webhook, database round trip and platform call is a loop wake-up, so this is much of the process's time)."""
    try:
        import uvloop
    except ImportError:  # not built for every platform; the standard loop works the same, only slower
        asyncio.run(serve(settings))
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(settings))


async def serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then shut down in order."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    stepped = clock_from_setting(settings.classbot_clock_step_seconds)  # None unless a test set it
    steps: set[asyncio.Task[None]] = set()
    try:
        async with build_components(settings, clock=stepped or utc_now) as components:
            if stepped is not None:
                loop.add_signal_handler(signal.SIGUSR1, _step_clock, stepped, components, steps)
            listeners = [_listen("web", create_web_app(components), settings.http_host, settings.http_port)]
            if settings.metrics_port:
                metrics = create_metrics_app(components)
                listeners.append(_listen("metrics", metrics, settings.metrics_host, settings.metrics_port))
            _tune_garbage_collection()
            serving = [asyncio.create_task(each.server.serve(), name=f"{each.name}-server") for each in listeners]
            stopping = asyncio.create_task(stop.wait(), name="stop-signal")
            done, _ = await asyncio.wait({*serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                log.info("stop requested: finishing in-flight work")
            else:
                stopping.cancel()
            for each in listeners:  # a signal, or one listener ending, ends them all
                each.server.should_exit = True
            await asyncio.gather(*serving)
            for each in listeners:
                if not each.server.started:
                    raise SystemExit(f"the {each.name} server could not listen on {each.host}:{each.port}")
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
            loop.remove_signal_handler(signum)
        for step in steps:
            step.cancel()
    log.info("stopped")


def _step_clock(clock: SteppedClock, components: Components, steps: set[asyncio.Task[None]]) -> None:
    """SIGUSR1 under the test-only ``CLASSBOT_CLOCK_STEP_SECONDS``: the clock moves a step ahead, as if that time
    had passed. The worker looks for the work now due at once instead of at the end of the sleep it chose on the
    old clock, and housekeeping runs (a step is more than its hour in real time); then the log says so, the line
    a test waits for before its next step."""
    clock.advance()
    components.worker.wake()
    step = asyncio.create_task(_after_step(clock, components), name=f"clock-step-{clock.steps}")
    steps.add(step)
    step.add_done_callback(steps.discard)


async def _after_step(clock: SteppedClock, components: Components) -> None:
    try:
        await components.worker.housekeep()
    except Exception:
        log.exception("housekeeping after clock step %d failed", clock.steps)
    log.warning("clock step %d: now %s (CLASSBOT_CLOCK_STEP_SECONDS, for tests only)", clock.steps, clock().isoformat())


@dataclass(frozen=True, slots=True)
class _Listener:
    name: str
    host: str
    port: int
    server: _EmbeddedServer


def _listen(name: str, app: Starlette, host: str, port: int) -> _Listener:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=_GRACEFUL_HTTP_SECONDS,
    )
    return _Listener(name, host, port, _EmbeddedServer(config))


def _tune_garbage_collection() -> None:
    """Make the garbage collector's pauses short and rare once start-up is done.

    Start-up leaves about 160,000 objects that live as long as the process (modules, classes, the ORM's mappers,
    the front ends and their libraries). Every full collection walked them all, about 75 ms in which nothing ran,
    several times in a burst of bookings; frozen (``gc.freeze``), they are never walked again. And a collection
    of the youngest objects came every 700 new ones, that is several times per booking, each walking the
    requests still in flight: at 10,000 most of those are gone by the next collection. In a burst of 600
    bookings the collector's time fell from 1.1 s (5% of the process's CPU) to under 0.4 s.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
