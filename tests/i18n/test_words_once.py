"""A sentence a person reads is written once in the code: no text marked with tr()/ntr() is written in both chat
front ends, nor twice anywhere in the product. Words both platforms say live in ``bot.core.words``; a second copy
is how Telegram and Slack drift apart (one is reworded, the other not), and the catalog cannot tell.

The texts are found the way Babel's extraction finds them (``make messages``): the first argument of each
``tr(...)`` and ``ntr(...)`` call, read from the source with ``ast``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import bot

PACKAGE = Path(bot.__file__).parent
_KEYWORDS = frozenset({"tr", "ntr"})


def written(root: Path, base: Path | None = None) -> dict[str, list[str]]:
    """Each msgid under ``root``, with every place it is written (``file:line``, from ``base``, else from
    ``root``'s parent)."""
    base = base or root.parent
    places: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _KEYWORDS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                places[node.args[0].value].append(f"{path.relative_to(base)}:{node.lineno}")
    return dict(places)


def in_both_front_ends(package: Path) -> dict[str, list[str]]:
    telegram = written(package / "handlers" / "telegram", package.parent)
    slack = written(package / "handlers" / "slack", package.parent)
    return {msgid: telegram[msgid] + slack[msgid] for msgid in sorted(telegram.keys() & slack.keys())}


def written_twice(package: Path) -> dict[str, list[str]]:
    return {msgid: places for msgid, places in sorted(written(package).items()) if len(places) > 1}


def test_the_scan_finds_the_texts_extraction_finds() -> None:
    found = written(PACKAGE)
    assert len(found) > 250
    assert "Book a seat" in found
    assert "{left} of {n} seat left" in found  # an ntr() singular


def test_no_sentence_is_written_in_both_front_ends() -> None:
    assert in_both_front_ends(PACKAGE) == {}


def test_each_sentence_is_written_once_in_the_product() -> None:
    assert written_twice(PACKAGE) == {}


def test_a_sentence_written_in_both_front_ends_is_found(tmp_path: Path) -> None:
    for platform in ("telegram", "slack"):
        folder = tmp_path / "bot" / "handlers" / platform
        folder.mkdir(parents=True)
        (folder / "said.py").write_text('from bot.i18n.texts import tr\n\nDONE = tr("Done.")\n', encoding="utf-8")

    assert in_both_front_ends(tmp_path / "bot") == {
        "Done.": ["bot/handlers/telegram/said.py:3", "bot/handlers/slack/said.py:3"]
    }
    assert list(written_twice(tmp_path / "bot")) == ["Done."]
