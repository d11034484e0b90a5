"""Who is acting: a person as their chat platform names them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A user on one platform; ``workspace_id`` is the Slack team (empty on Telegram).

    ``language`` is the language tag the platform reports for them (Telegram's ``language_code``), if any: it
    travels with the person so that the row made on their first booking already knows how to speak to them. It
    does not take part in comparisons: it describes the person, it does not identify them. Nor does ``handle``,
    the name people find them by on the platform (Telegram's ``@username``; empty when they have none): it
    names the person where someone must recognise them, as on the page that confirms a Zoom connection.
    ``timezone`` is the zone the platform gives for them (Slack's ``tz``, checked against the timezone database by
    the core), kept, like ``language``, by the row their first booking makes, unless they have one already.
    """

    platform: str
    user_id: str
    workspace_id: str = ""
    display_name: str = ""
    language: str | None = field(default=None, compare=False)
    handle: str = field(default="", compare=False)
    timezone: str | None = field(default=None, compare=False)
