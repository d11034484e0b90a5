"""python-telegram-bot's Bot API requests over aiohttp: the same calls for a fraction of the CPU.

python-telegram-bot sends through httpx by default. httpcore's connection pool looks at every connection each
time it places a request or takes one back, so a request's cost grows with the requests in flight beside it:
against a local server, a ``sendMessage`` cost our only thread 0.55 ms alone and 2.2 ms among 50 at once, where
aiohttp (a C parser, a pool that hands out a free connection directly) took 0.07-0.18 ms. A burst of bookings
keeps tens of messages in flight, and each booking sends four or five.

The contract is python-telegram-bot's own (``BaseRequest``): parameters go as a form, each non-string value
JSON-encoded, or as multipart when a file goes along; failures come back as ``TimedOut`` or ``NetworkError``, so
the library's error handling and our pacer's retries see exactly what they saw before.

Timeouts map onto aiohttp's: ``connect`` to opening a connection, ``pool`` plus ``connect`` to getting one from
the pool, ``read`` to each wait for the answer. aiohttp has no write timeout; the sum of all four bounds the
whole request instead, so a stalled upload still ends.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.support.logs import scrub


class AiohttpRequest(BaseRequest):
    """One aiohttp session for python-telegram-bot; defaults as the library's own ``HTTPXRequest``."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._shut = False

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        self._shut = False
        self._open()

    async def shutdown(self) -> None:
        self._shut = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        """The session, made on first use: like httpx's client, the transport works before ``initialize`` (the
        job worker may send before the front end has started), and only ``shutdown`` ends it."""
        if self._shut:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                # Idle connections are dropped after 5 s, as httpx did: a server may close one that idles longer,
                # and a send that meets a closed connection fails without a retry.
                connector=aiohttp.TCPConnector(limit=self._pool_size, keepalive_timeout=5.0),
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),  # answers are small JSON: not worth inflating
                trust_env=True,  # HTTP_PROXY, HTTPS_PROXY (an http:// proxy) and NO_PROXY apply; ALL_PROXY does not
            )
        return self._session

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._open()
        files = request_data.multipart_data if request_data else None
        body = _body(request_data.json_parameters if request_data else None, files)
        timeout = _timeout(
            read=_given(read_timeout, self._read_timeout),
            write=_given(write_timeout, self._media_write_timeout if files else self._write_timeout),
            connect=_given(connect_timeout, self._connect_timeout),
            pool=_given(pool_timeout, self._pool_timeout),
        )
        try:
            # The Bot API never redirects; following one would resend a POST as a GET without its parameters.
            async with session.request(method, url, data=body, timeout=timeout, allow_redirects=False) as response:
                return response.status, await response.read()
        # aiohttp's errors name the URL, which holds the bot's token: neither the message nor the cause goes on.
        except TimeoutError:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from None
        except aiohttp.ClientError as err:
            # The class name says what failed when the message is empty (a dropped connection, say).
            raise NetworkError(f"aiohttp.{type(err).__name__}: {scrub(str(err))}") from None


def _body(fields: dict[str, str] | None, files: dict[str, Any] | None) -> aiohttp.FormData | dict[str, str] | None:
    """A form for plain parameters; multipart, fields first, when files go along (as Telegram expects)."""
    if not files:
        return fields
    form = aiohttp.FormData(quote_fields=False)  # file names as named (quotes still escaped), as httpx sent them
    for name, value in (fields or {}).items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def _given(value: object, default: float | None) -> float | None:
    """A call's own timeout, or ours where it left the library's "not given" marker."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a timeout is seconds or None, not {value!r}")


def _timeout(
    *, read: float | None, write: float | None, connect: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    phases = (read, write, connect, pool)
    total = None if any(phase is None for phase in phases) else sum(phase for phase in phases if phase is not None)
    acquire = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(total=total, connect=acquire, sock_connect=connect, sock_read=read)
