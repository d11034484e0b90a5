"""The Spanish catalog is complete and current: every text the code marks has a translation, none is fuzzy or
stale, and each translation keeps its placeholders. Extraction runs here with Babel's API, the way
``make messages`` runs it, so adding a text without translating it fails this test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import bot

PACKAGE = Path(bot.__file__).parent
# The same keywords as the Makefile's `messages` target: tr(msgid) and ntr(singular, plural, n).
KEYWORDS = {"tr": None, "ntr": (1, 2)}
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _extracted() -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[forms[0]] = forms
    return found


def _spanish() -> Catalog:
    with (PACKAGE / "locale" / "es" / "LC_MESSAGES" / "classbot.po").open("rb") as po:
        return read_po(po, locale="es")


def _forms(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def test_the_code_marks_its_texts() -> None:
    extracted = _extracted()
    assert len(extracted) > 250
    assert "Book a seat" in extracted
    assert extracted["{left} of {n} seat left"] == ("{left} of {n} seat left", "{left} of {n} seats left")


def test_every_text_has_a_spanish_translation_that_is_neither_fuzzy_nor_stale() -> None:
    extracted, catalog = _extracted(), _spanish()
    translated = {message.id[0] if isinstance(message.id, tuple) else message.id: message for message in catalog}
    translated.pop("", None)

    missing = sorted(set(extracted) - set(translated))
    stale = sorted(set(translated) - set(extracted))
    fuzzy = sorted(key for key, message in translated.items() if message.fuzzy)
    empty = sorted(
        key
        for key, message in translated.items()
        if isinstance(message.string, tuple) != isinstance(message.id, tuple) or not all(_forms(message.string))
    )
    assert (missing, stale, fuzzy, empty) == ([], [], [], [])
    assert not catalog.obsolete


def test_translations_keep_the_placeholders_and_plural_forms() -> None:
    catalog = _spanish()
    assert catalog.num_plurals == 2
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(_placeholders(text) for text in ids))
        for string in strings:
            # A plural form may leave out {n} (Spanish "una reserva"), but never invents or drops another.
            assert _placeholders(string) - {"n"} == expected - {"n"}, (message.id, string)


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_language_renders_every_text(language: str) -> None:
    """No translation breaks ``str.format``: every text renders with its placeholders filled."""
    from bot.i18n.catalogs import Catalogs

    translator = Catalogs().translator(language)
    for forms in _extracted().values():
        values = {name: "x" for text in forms for name in _placeholders(text)}
        for n in (1, 2, 5):
            template = translator.ngettext(forms[0], forms[1], n) if len(forms) == 2 else translator.gettext(forms[0])
            assert template.format(**values)
