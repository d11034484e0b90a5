"""A consistent copy of a SQLite database while the bot keeps running (SQLite's online backup API).

PostgreSQL has its own tool for this (``pg_dump``); ClassBot does not wrap it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupNotPossible(Exception):
    """The configured database is not a SQLite file."""


def backup_sqlite(database_url: str, target: Path) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupNotPossible("backup copies a SQLite file; for PostgreSQL use pg_dump")
    source_path = Path(url.database)
    if not source_path.exists():
        raise BackupNotPossible(f"there is no database at {source_path} yet")
    if target.is_dir() or (not target.exists() and not target.suffix):  # a folder, existing or to be made
        target = target / source_path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # page by page, consistent even while the bot writes
    finally:
        copy.close()
        source.close()
    return target
