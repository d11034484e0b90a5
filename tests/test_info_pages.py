"""/privacy and /support: the pages a Zoom app's Marketplace listing links to, readable by anyone, in their language."""

from __future__ import annotations

from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from bot.app import build_components, create_web_app
from bot.config import load_settings


async def _get(tmp_path: Path, path: str, language: str) -> httpx.Response:
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'classbot.db'}",
        data_dir=tmp_path / "data",
        encryption_key=Fernet.generate_key().decode(),
    )
    async with build_components(settings) as components:
        transport = httpx.ASGITransport(app=create_web_app(components))
        async with httpx.AsyncClient(transport=transport, base_url="http://classbot") as client:
            return await client.get(path, headers={"Accept-Language": language})


async def test_the_privacy_page_says_what_is_kept_and_how_to_delete_it(tmp_path: Path) -> None:
    response = await _get(tmp_path, "/privacy", "en")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Privacy</h1>" in response.text
    assert "children&#x27;s names" in response.text
    assert "/forgetme" in response.text
    assert "/disconnect" in response.text


async def test_the_support_page_says_where_to_get_help(tmp_path: Path) -> None:
    response = await _get(tmp_path, "/support", "en")
    assert response.status_code == 200
    assert "<h1>Help with ClassBot</h1>" in response.text
    assert "/help" in response.text
    assert "/connect" in response.text


async def test_the_pages_follow_the_browser_language(tmp_path: Path) -> None:
    privacy = await _get(tmp_path, "/privacy", "es-ES,es;q=0.9")
    support = await _get(tmp_path, "/support", "es")
    assert privacy.headers["content-language"] == "es"
    assert "<h1>Privacidad</h1>" in privacy.text
    assert "<h1>Ayuda con ClassBot</h1>" in support.text
