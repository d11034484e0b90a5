"""Words for people, kept translatable until the moment we know who reads them.

The core decides *what* to say long before anyone knows in which language: a booking's notice is queued in a
transaction and delivered later by the worker, a refusal is raised deep inside a use case. So the core says
``Text`` values: a message id in English (the source language) plus its parameters, rendered only at the edge
with the reader's ``Language``. A ``Text`` is plain data: it round-trips through JSON, so a queued notice is
rendered in the language its recipient has when it is delivered.

``tr("Booked: {child}", child=name)`` marks a text for translation (Babel's extraction looks for ``tr`` and
``ntr``); ``ntr(singular, plural, n, ...)`` picks the plural form the language needs for ``n`` (also available
as ``{n}``); ``plain(s)`` is a person's own words (a title, a name), never translated. Parameters may be other
``Text`` values and ``Moment`` values, which each language formats its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class Language(Protocol):
    """One reader's language: how the core's texts become words (see ``bot.i18n.translator``)."""

    def gettext(self, msgid: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def moment(self, at: datetime, timezone: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Moment:
    """A point in time to show in ``timezone`` (with the timezone's name), formatted for the reader."""

    at: datetime | None  # None: the class has no session left
    timezone: str


@dataclass(frozen=True, slots=True)
class Text:
    msgid: str
    params: tuple[tuple[str, str | int | Text | Moment], ...] = ()
    plural: str | None = None
    count: int | None = None
    translate: bool = True  # False: the msgid is shown as it is (a person's words, or a layout of parts)

    def render(self, language: Language) -> str:
        """The words in ``language``: the translation, filled with the parameters rendered the same way."""
        if not self.translate:
            template = self.msgid
        elif self.plural is not None and self.count is not None:
            template = language.ngettext(self.msgid, self.plural, self.count)
        else:
            template = language.gettext(self.msgid)
        values: dict[str, object] = {name: _render(value, language) for name, value in self.params}
        if self.count is not None:
            values.setdefault("n", self.count)
        return template.format(**values) if values else template

    def to_json(self) -> dict[str, Any]:
        return {
            "msgid": self.msgid,
            "params": [[name, _param_json(value)] for name, value in self.params],
            "plural": self.plural,
            "count": self.count,
            "translate": self.translate,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Text:
        return cls(
            msgid=data["msgid"],
            params=tuple((name, _param_of(value)) for name, value in data.get("params", [])),
            plural=data.get("plural"),
            count=data.get("count"),
            translate=bool(data.get("translate", True)),
        )


def tr(msgid: str, **params: str | int | Text | Moment) -> Text:
    """A text to translate; ``{name}`` placeholders are filled from ``params``."""
    return Text(msgid, tuple(params.items()))


def ntr(singular: str, plural: str, n: int, **params: str | int | Text | Moment) -> Text:
    """A text whose form depends on the number ``n`` (English: one / many; other languages: their own rules)."""
    return Text(singular, tuple(params.items()), plural, n)


def plain(words: str) -> Text:
    """A person's own words, shown as they typed them in every language."""
    return Text(words, translate=False)


def lines(*parts: Text) -> Text:
    """Texts shown one per line (each translated on its own)."""
    return joined("\n", *parts)


def joined(separator: str, *parts: Text) -> Text:
    params = tuple((f"p{index}", part) for index, part in enumerate(parts))
    template = separator.join("{" + name + "}" for name, _ in params)
    # The template only places translated parts: it is not a sentence, so it is not translated itself.
    return Text(template, params, translate=False)


def _render(value: str | int | Text | Moment, language: Language) -> object:
    if isinstance(value, Text):
        return value.render(language)
    if isinstance(value, Moment):
        return language.moment(value.at, value.timezone) if value.at else tr("(no session left)").render(language)
    return value


def _param_json(value: str | int | Text | Moment) -> object:
    if isinstance(value, Text):
        return {"text": value.to_json()}
    if isinstance(value, Moment):
        return {"moment": value.at.isoformat() if value.at else None, "timezone": value.timezone}
    return value


def _param_of(value: Any) -> str | int | Text | Moment:
    if isinstance(value, dict) and "text" in value:
        return Text.from_json(value["text"])
    if isinstance(value, dict) and "moment" in value:
        at = datetime.fromisoformat(value["moment"]) if value["moment"] else None
        return Moment(at, value["timezone"])
    if isinstance(value, int | str):
        return value
    raise ValueError(f"not a text parameter: {value!r}")


class _Source:
    """The source language (English) with no catalog: the message ids themselves, times in ISO form."""

    def gettext(self, msgid: str) -> str:
        return msgid

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def moment(self, at: datetime, timezone: str) -> str:
        return f"{at.isoformat(timespec='minutes')} ({timezone})"


def source(text: Text) -> str:
    """The English words of ``text``, for logs and exceptions (people get it rendered in their language)."""
    return text.render(_Source())
