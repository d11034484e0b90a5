"""The command line: ``python -m bot [run|migrate|check|status|backup|genkey|rotate-keys|demo]``, also
``classbot``."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import sys

from cryptography.fernet import Fernet

from bot.config import ConfigError, Settings, load_settings
from bot.support.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="classbot", description="ClassBot: kids' classes over Zoom, from chat.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="migrate the database, then serve the web app and the chat front ends (default)")
    commands.add_parser("migrate", help="bring the database schema up to date and exit")
    commands.add_parser("genkey", help="print a new ENCRYPTION_KEY")
    backup = commands.add_parser("backup", help="make a consistent copy of the SQLite database")
    backup.add_argument("target", nargs="?", default="backup", help="file or folder for the copy (default: backup/)")
    commands.add_parser("rotate-keys", help="re-encrypt stored secrets under the first ENCRYPTION_KEY")
    commands.add_parser("check", help="check the configuration, the database and the platforms; say what to fix")
    commands.add_parser("status", help="the queued jobs by kind; exit status 1 while a link job is not done")
    commands.add_parser("demo", help="try ClassBot offline: built-in Zoom and Telegram test servers, a terminal chat")
    arguments = parser.parse_args(argv)

    if arguments.command == "genkey":
        print(Fernet.generate_key().decode())
        return 0
    if arguments.command == "demo":  # needs no settings: the playground makes its own
        if importlib.util.find_spec("classbot_fakes") is None:
            print("The playground needs the test servers: run `make demo`, or pip install ./fakes", file=sys.stderr)
            return 2
        from bot.demo.playground import play

        return play(sys.stdin, sys.stdout)
    try:
        settings = load_settings()
    except ConfigError as problem:
        print(problem, file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    if arguments.command == "check":
        from bot.check import render, run_checks

        findings = asyncio.run(run_checks(settings))
        print(render(findings))
        return 0 if all(finding.ok for finding in findings) else 1
    if arguments.command == "status":
        from bot.status import status

        code, report = asyncio.run(status(settings))
        print(report, file=sys.stderr if code == 2 else sys.stdout)
        return code
    if arguments.command == "migrate":
        asyncio.run(_migrate(settings))
        return 0
    if arguments.command == "backup":
        from pathlib import Path

        from bot.storage.backup import BackupNotPossible, backup_sqlite

        try:
            written = backup_sqlite(settings.database_url, Path(arguments.target))
        except BackupNotPossible as problem:
            print(f"Backup not made: {problem}.", file=sys.stderr)
            return 2
        print(f"Backed up the database to {written}. Keep it with the encryption key.")
        return 0
    if arguments.command == "rotate-keys":
        from bot.storage.rewrite import RowsKeptChanging

        try:
            count = asyncio.run(_rotate(settings))
        except RowsKeptChanging as problem:
            print(
                f"Not every secret was re-encrypted: {problem}. Keep the older keys until it succeeds.", file=sys.stderr
            )
            return 1
        print(f"Re-encrypted {count} stored secrets under the first key; older keys can now be removed.")
        return 0
    from bot.runtime import run_server  # the web stack is imported only when it is going to run

    run_server(settings)
    return 0


async def _rotate(settings: Settings) -> int:
    from bot.storage.cipher import SecretCipher, load_keys
    from bot.storage.database import Database
    from bot.storage.rotation import rotate_keys

    key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
    database = Database.connect(settings.database_url)
    try:
        return await rotate_keys(database, SecretCipher(load_keys(key, settings.data_dir)))
    finally:
        await database.dispose()


async def _migrate(settings: Settings) -> None:
    from bot.storage.database import Database
    from bot.storage.migrate import upgrade_to_head

    database = Database.connect(settings.database_url)
    try:
        await upgrade_to_head(database)
    finally:
        await database.dispose()


if __name__ == "__main__":
    sys.exit(main())
