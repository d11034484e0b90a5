"""The map of tests/product_coverage.py holds: every test it names exists (its module imported, the function
looked up, nothing run), and every row of the product contract has an end-to-end test on Telegram and on Slack,
or is listed in ``OPEN`` with what is missing (and leaves the list once it has one).

tests/test_parity.py checks that each use case has an entry point on both chats and tests/test_help.py that both
helps tell of it; this checks that a test drives each row of the contract through each chat."""

from __future__ import annotations

import importlib
from collections import Counter

import pytest

from tests.product_coverage import OPEN, ROWS, Row

CHATS = ("telegram", "slack")


def _exists(node: str) -> bool:
    path, _, name = node.partition("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return name.startswith("test_") and callable(getattr(module, name, None))


def test_row_ids_are_unique_and_cover_every_flow() -> None:
    ids = Counter(row.id for row in ROWS)
    assert [row_id for row_id, n in ids.items() if n > 1] == []
    assert {row.id.split(".")[0] for row in ROWS} == {str(flow) for flow in range(1, 13)}


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_every_test_named_exists(row: Row) -> None:
    missing = [node for node in (*row.telegram, *row.slack) if not _exists(node)]
    assert not missing, f"row {row.id} ({row.says}) names tests that do not exist: {missing}"


@pytest.mark.parametrize("chat", CHATS)
def test_every_row_has_a_test_on_each_chat(chat: str) -> None:
    untested = [f"{row.id} {row.says}" for row in ROWS if not getattr(row, chat) and (row.id, chat) not in OPEN]
    assert not untested, f"rows with no end-to-end test on {chat}: {untested}"


def test_an_open_row_leaves_the_list_once_it_has_a_test() -> None:
    rows = {row.id: row for row in ROWS}
    assert all(row_id in rows for row_id, _ in OPEN), "OPEN names a row that is not in the map"
    tested = sorted(f"{row_id} on {chat}" for row_id, chat in OPEN if getattr(rows[row_id], chat))
    assert not tested, f"these have a test now; take them off OPEN: {tested}"
