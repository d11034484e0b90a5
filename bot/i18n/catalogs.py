"""The message catalogs shipped in the package (``bot/locale/<lang>/LC_MESSAGES/classbot.po``).

The ``.po`` sources are read with Babel when a language is first asked for, and compiled in memory: a clean
checkout needs no build step and cannot run with a stale ``.mo``. One ``Catalogs`` is built by the composition
root and handed to whoever renders texts; it keeps each language's translator once loaded.
"""

from __future__ import annotations

import io
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.i18n.languages import SOURCE, or_source
from bot.i18n.translator import Translator

DOMAIN = "classbot"


class Catalogs:
    def __init__(self) -> None:
        self._loaded: dict[str, Translator] = {}

    def translator(self, code: str | None, zone: str | None = None) -> Translator:
        """The translator for a stored or detected language (English for None or a language we lack), for a
        reader living in ``zone`` when it is known (their own time is then told beside a class's)."""
        language = or_source(code)
        found = self._loaded.get(language)
        if found is None:
            found = self._loaded[language] = Translator(language, _translations(language))
        return found.for_reader(zone)


def _translations(language: str) -> NullTranslations:
    if language == SOURCE:
        return NullTranslations()  # the message ids are the English texts
    source = resources.files("bot") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
