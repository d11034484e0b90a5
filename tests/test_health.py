"""/healthz tells a load balancer whether this process can serve: 200 only while the database answers."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from bot.app import build_components, create_web_app
from bot.config import Settings, load_settings
from tests.support.databases import fresh_postgres_database
from tests.support.tcp_proxy import TcpProxy


def _settings(database_url: str, data_dir: Path) -> Settings:
    return load_settings(database_url=database_url, data_dir=data_dir, encryption_key=Fernet.generate_key().decode())


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://classbot")  # type: ignore[arg-type]


async def test_healthz_is_200_when_the_database_answers(database_url: str, tmp_path: Path) -> None:
    settings = _settings(database_url, tmp_path)
    async with build_components(settings) as components, _client(create_web_app(components)) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_is_503_when_the_database_goes_away(tmp_path: Path) -> None:
    async with fresh_postgres_database() as url:
        real = make_url(url)
        proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
        await proxy.start()
        proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        settings = _settings(proxied, tmp_path)
        async with build_components(settings) as components, _client(create_web_app(components)) as client:
            assert (await client.get("/healthz")).status_code == 200
            await proxy.cut()
            response = await client.get("/healthz")
            assert response.status_code == 503
            assert response.json()["status"] == "unavailable"


async def test_healthz_is_503_when_the_database_never_answered(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = _settings(f"postgresql+asyncpg://nobody@127.0.0.1:{port}/nothing", tmp_path)
    async with build_components(settings, migrate=False) as components, _client(create_web_app(components)) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
