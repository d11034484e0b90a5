"""The playground's world: the Zoom and Telegram test servers, three people, their group, a throwaway folder and
the settings that point ClassBot at all of it.

Ann teaches; Pat and Sam are parents. All three belong to the group
"Chess club", which Ann owns and where ClassBot is an administrator. Each has a Zoom account in the test server,
so any of them can connect. Everything lives in a temporary folder that is removed on the way out.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from classbot_fakes.telegram import FakeGroup, FakeTelegram, FakeUser
from classbot_fakes.telegram import spec as telegram_spec
from classbot_fakes.zoom import FakeZoom
from classbot_fakes.zoom import spec as zoom_spec
from cryptography.fernet import Fernet

from bot.config import Settings, load_settings

TIMEZONE = "UTC"
GROUP_TITLE = "Chess club"
_CAST = (("teacher", "Ann"), ("parent1", "Pat"), ("parent2", "Sam"))


@dataclass(frozen=True, slots=True)
class Person:
    key: str  # what ":as" takes
    name: str
    user: FakeUser
    zoom_user_id: str

    @property
    def label(self) -> str:
        return f"{self.key} ({self.name})"


@dataclass(frozen=True, slots=True)
class Stage:
    telegram: FakeTelegram
    zoom: FakeZoom
    persons: dict[str, Person]
    group: FakeGroup
    folder: Path
    checked: bool  # whether the test servers check requests against the platforms' published specs

    def settings(self, port: int) -> Settings:
        """ClassBot's settings for this world, whatever the environment or a ``.env`` file say."""
        return load_settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{self.folder / 'classbot.db'}",
            data_dir=self.folder,
            public_url=f"http://127.0.0.1:{port}",
            http_host="127.0.0.1",
            http_port=port,
            encryption_key=Fernet.generate_key().decode(),
            zoom_client_id=self.zoom.client_id,
            zoom_client_secret=self.zoom.client_secret,
            zoom_webhook_secret_token=Fernet.generate_key().decode(),
            zoom_oauth_url=self.zoom.oauth_url,
            zoom_api_url=self.zoom.api_url,
            telegram_bot_token=self.telegram.token,
            telegram_base_url=self.telegram.base_url,
            telegram_webhook=False,
            telegram_webhook_secret=None,
            slack_bot_token=None,
            slack_app_token=None,
            slack_signing_secret=None,
            slack_client_id=None,
            slack_client_secret=None,
            log_level="WARNING",
            log_format="text",
        )

    def person_of_chat(self, chat_id: int) -> Person | None:
        return next((person for person in self.persons.values() if person.user.id == chat_id), None)


def specs_available() -> bool:
    """Whether the platforms' specs (vendored with the test servers) and jsonschema are installed."""
    present = zoom_spec.spec_path().is_file() and telegram_spec.spec_path().is_file()
    return present and importlib.util.find_spec("jsonschema") is not None


@contextmanager
def open_stage(*, checked: bool) -> Iterator[Stage]:
    """Start the test servers and people; stop everything and remove the folder on exit."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="classbot-demo-")))
        zoom = stack.enter_context(FakeZoom(validate=checked))
        telegram = stack.enter_context(FakeTelegram(validate=checked))
        persons = _cast(telegram, zoom)
        teacher = persons["teacher"].user
        parents = [persons["parent1"].user, persons["parent2"].user]
        group = telegram.add_group(GROUP_TITLE, members=parents, admins=[teacher])
        telegram.add_bot_to_group(group, by=teacher)
        telegram.promote_bot(group, by=teacher)
        yield Stage(telegram, zoom, persons, group, folder, checked)


def _cast(telegram: FakeTelegram, zoom: FakeZoom) -> dict[str, Person]:
    """The three people, each with a Telegram account and a Zoom account."""
    return {
        key: Person(
            key,
            name,
            telegram.add_user(name),
            zoom.add_user(email=f"{name.lower()}@example.org", first_name=name, timezone=TIMEZONE).id,
        )
        for key, name in _CAST
    }
