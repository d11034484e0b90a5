"""footprint: how fast the bot starts and how much memory it holds when idle, on SQLite with Telegram configured.

    python -m bench.footprint [--repeat 5] [--idle 10]

Start-up is timed from spawning ``python -m bot run`` to the first 200 on /healthz (polled every 5 ms): first on
a fresh SQLite file (the migrations run), then on the migrated file. Telegram is configured in its default
polling mode against the fake Telegram (getMe, setMyCommands, deleteWebhook and a long poll happen at start),
and Zoom against the fake Zoom, as an operator would run it; then all again with Slack added in Socket Mode
against the fake Slack. After the last start the bot stays idle for ``--idle`` seconds; then its resident
memory (now and peak) and the CPU it used while idle are read from /proc.
How long the imports alone take is measured too, since they are most of a start.

The bot runs in a virtual environment of its own holding ClassBot's runtime dependencies only, as ``pip install .``
gives an operator (``--python`` names another interpreter). The development environment also holds the test tools,
and the bot's libraries import some of them when present: selenium's trio (by httpcore), its wsproto (by uvicorn)
and import-linter's rich (by httpx's command line), 11 MB of memory an operator never holds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from bench.hosts import Bot, Child, telegram_host, zoom_host
from bench.machine import REPOSITORY, cpu_seconds, memory_mb
from bench.report import Target, command_line, record, table
from bench.stack import TEACHER_EMAIL, scratch_folder
from tests.support.ports import free_port


def operator_install(scratch: Path) -> Path:
    """The interpreter of a new virtual environment holding ClassBot's runtime dependencies only, at the versions
    ``constraints.txt`` pins; the bot itself is imported from this checkout, as every benchmark's is."""
    environment = scratch / "operator-venv"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)  # noqa: S603 - this interpreter
    python = environment / "bin" / "python"
    needed = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]["dependencies"]
    subprocess.run(  # noqa: S603 - the new environment's pip, installing what pyproject.toml names
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(REPOSITORY / "constraints.txt"), *needed],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return python


def import_seconds(python: Path, trials: int = 3) -> float:
    """Median wall time of a fresh interpreter importing the bot's run path (what every start pays first)."""
    times = []
    for _ in range(trials):
        started = time.monotonic()
        importing = [str(python), "-c", "import bot.runtime, bot.app, bot.web.app"]
        subprocess.run(importing, cwd=REPOSITORY, check=True)  # noqa: S603 - the bot's interpreter, our own modules
        times.append(time.monotonic() - started)
    return statistics.median(times)


async def measure(arguments: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    python = Path(arguments.python) if arguments.python else operator_install(scratch)
    async with (
        telegram_host(scratch, latency=0.0, enforce_limits=False) as telegram,
        zoom_host(scratch, latency=0.0, per_second_limit=None, users=[TEACHER_EMAIL]) as zoom,
    ):
        environment = {
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "TELEGRAM_BOT_TOKEN": telegram.value("TELEGRAM_BOT_TOKEN"),
            "TELEGRAM_BASE_URL": telegram.value("TELEGRAM_BASE_URL"),
            **{
                key: zoom.value(key)
                for key in ("ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_OAUTH_URL", "ZOOM_API_URL")
            },
        }
        found = await starts(scratch / "telegram", environment, python, arguments)
        slack = fake_slack(scratch)
        try:
            with_slack = {**environment, **{key: slack[key] for key in _SLACK_SETTINGS}}
            found["slack"] = await starts(scratch / "slack", with_slack, python, arguments)
        finally:
            slack["stop"]()
    return {**found, "imports": import_seconds(python)}


_SLACK_SETTINGS = ("SLACK_API_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")


def fake_slack(scratch: Path) -> dict[str, Any]:
    """The fake Slack by its own command line (its Web API and Socket Mode), and how to stop it."""
    scratch.mkdir(parents=True, exist_ok=True)
    child = Child("fake_slack", [sys.executable, "-m", "classbot_fakes.slack", "--port", "0"], scratch)
    try:
        values = {key: found[0] for key, found in child.read_lines_until("FAKE_SLACK_SOCKET_URL").items()}
    except BaseException:
        child.stop()
        raise
    return {**values, "stop": child.stop}


async def starts(
    scratch: Path, environment: dict[str, str], python: Path, arguments: argparse.Namespace
) -> dict[str, Any]:
    """``--repeat`` first starts on a fresh SQLite file and as many on the migrated one; then idle memory."""
    cold: list[float] = []
    warm: list[float] = []
    idle: dict[str, float] = {}
    for trial in range(arguments.repeat):
        folder = scratch / f"trial-{trial}"
        folder.mkdir(parents=True)
        for label, times in (("cold", cold), ("warm", warm)):
            port = free_port()
            settings = {
                **environment,
                "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'classbot.db'}",
                "DATA_DIR": str(folder / "data"),
                "HTTP_PORT": str(port),
                "PUBLIC_URL": f"http://127.0.0.1:{port}",
            }
            bot = Bot(folder, settings, argv=[str(python), "-m", "bot", "run"])
            try:
                times.append(await bot.wait_healthy(poll=0.005))
                if trial == arguments.repeat - 1 and label == "warm":
                    idle = await _idle(bot.pid, arguments.idle)
            finally:
                bot.stop()
    return {"cold": cold, "warm": warm, **idle}


async def _idle(pid: int, seconds: float) -> dict[str, float]:
    used = cpu_seconds(pid)
    await asyncio.sleep(seconds)
    rss, peak = memory_mb(pid)
    return {"idle_rss_mb": rss, "peak_rss_mb": peak, "idle_cpu_percent": (cpu_seconds(pid) - used) / seconds * 100}


def report(found: dict[str, Any], arguments: argparse.Namespace) -> None:
    cold, warm = found["cold"], found["warm"]
    worst = max(cold + warm)
    slack = found["slack"]
    slack_worst = max(slack["cold"] + slack["warm"])
    rows = [
        ["first start, fresh SQLite (migrations run)", _spread(cold)],
        ["later starts, migrated SQLite", _spread(warm)],
        ["a fresh interpreter importing bot.runtime, bot.app, bot.web.app (median)", f"{found['imports']:.2f} s"],
        [f"resident memory after {arguments.idle:g} s idle", f"{found['idle_rss_mb']:.1f} MB"],
        ["peak resident memory since start", f"{found['peak_rss_mb']:.1f} MB"],
        ["CPU while idle", f"{found['idle_cpu_percent']:.2f}% of one core"],
        ["**Telegram and Slack (Socket Mode)**: first starts", _spread(slack["cold"])],
        ["Telegram and Slack: later starts", _spread(slack["warm"])],
        [f"Telegram and Slack: resident memory after {arguments.idle:g} s idle", f"{slack['idle_rss_mb']:.1f} MB"],
        ["Telegram and Slack: CPU while idle", f"{slack['idle_cpu_percent']:.2f}% of one core"],
    ]
    body = "\n\n".join(
        [
            "SQLite, Telegram configured (polling mode, against the fake Telegram) and Zoom configured (the "
            f"fake Zoom); then the same with Slack added in Socket Mode (against the fake Slack, "
            f"`python -m classbot_fakes.slack`). {arguments.repeat} starts of each kind; start = spawning "
            "`python -m bot run` to the first 200 on /healthz. The targets are judged on Telegram alone. "
            + (
                f"The bot ran on `{arguments.python}`."
                if arguments.python
                else "The bot ran in an environment holding its runtime dependencies only, as `pip install .` "
                "gives an operator (the development one also holds the test tools)."
            ),
            table(["", "measured"], rows),
        ]
    )
    cmd = command_line()
    targets = [
        Target(
            "footprint: start ≤ 3 s",
            f"{worst:.2f} s at worst ({statistics.median(warm):.2f} s median)",
            worst <= 3,
            cmd,
        ),
        Target("footprint: idle RSS ≤ 120 MB", f"{found['idle_rss_mb']:.1f} MB", found["idle_rss_mb"] <= 120, cmd),
        Target(
            "footprint with Slack too: start ≤ 3 s, idle RSS ≤ 120 MB",
            f"{slack_worst:.2f} s at worst, {slack['idle_rss_mb']:.1f} MB",
            slack_worst <= 3 and slack["idle_rss_mb"] <= 120,
            cmd,
        ),
    ]
    record("footprint", body, targets, found)


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s, worst {max(values):.2f} s"


async def main_async(arguments: argparse.Namespace) -> None:
    with scratch_folder(arguments.keep) as scratch:
        found = await measure(arguments, scratch)
    report(found, arguments)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.footprint", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds idle before memory is read")
    parser.add_argument("--keep", action="store_true", help="keep the runs' logs (printed at the end)")
    parser.add_argument(
        "--python", help="run the bot with this interpreter (default: a new environment of ClassBot's own)"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
