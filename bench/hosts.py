"""Starting the processes of a benchmark: the fake hosts (``bench.telegram_host``, ``bench.zoom_host``) and the
bot itself (``python -m bot run``), each with its output in a log file of the run's scratch folder.

Every process is started by us and stopped by us, by its own pid: SIGTERM first, then SIGKILL if it lingers.
"""

from __future__ import annotations

import asyncio
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from bench.machine import REPOSITORY

_PROBLEM = re.compile(r" ((?:ERROR|WARNING) .*)$")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


class Child:
    """A subprocess with its output in ``log_path``; ``stop()`` is safe to call twice."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        workdir: Path,
        environment: dict[str, str] | None = None,
        *,
        capture: bool = True,
    ) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        env = {**os.environ, "PYTHONPATH": str(REPOSITORY), **(environment or {})}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
                argv, cwd=workdir, env=env, stdout=subprocess.PIPE if capture else log, stderr=log
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def read_lines_until(self, last_key: str, timeout: float = 30.0) -> dict[str, list[str]]:
        """The ``KEY=value`` lines the process prints, up to and including ``last_key``."""
        assert self.process.stdout is not None
        descriptor = self.process.stdout.fileno()  # raw reads: a buffered readline would hide lines from select
        found: dict[str, list[str]] = {}
        pending = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([descriptor], [], [], 0.1)
            if not ready:
                if self.process.poll() is not None:
                    break
                continue
            chunk = os.read(descriptor, 65536)
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                key, _, value = line.decode().strip().partition("=")
                found.setdefault(key, []).append(value)
                if key == last_key:
                    return found
        raise RuntimeError(f"{self.name} did not get ready; see {self.log_path}:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


class Host:
    """A fake in its own process, with its control API."""

    def __init__(self, module: str, arguments: list[str], workdir: Path) -> None:
        self.child = Child(module.rsplit(".", 1)[-1], [sys.executable, "-m", module, *arguments], workdir)
        try:
            self.values = self.child.read_lines_until("CONTROL_URL")
        except BaseException:
            self.child.stop()
            raise
        self.control = httpx.AsyncClient(base_url=self.value("CONTROL_URL"), timeout=httpx.Timeout(900.0))

    def value(self, key: str) -> str:
        return self.values[key][0]

    async def call(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        response = await (self.control.post(path, json=payload) if payload is not None else self.control.get(path))
        if response.status_code != 200:
            raise RuntimeError(f"{self.child.name} {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    async def close(self) -> None:
        await self.control.aclose()
        self.child.stop()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def telegram_host(workdir: Path, *, latency: float, enforce_limits: bool) -> Host:
    arguments = ["--latency", str(latency)] + (["--enforce-limits"] if enforce_limits else [])
    return Host("bench.telegram_host", arguments, workdir)


def zoom_host(workdir: Path, *, latency: float, per_second_limit: int | None, users: list[str]) -> Host:
    arguments = ["--latency", str(latency)]
    if per_second_limit is not None:
        arguments += ["--per-second-limit", str(per_second_limit)]
    for email in users:
        arguments += ["--user", email]
    return Host("bench.zoom_host", arguments, workdir)


class Bot:
    """``python -m bot run`` in ``workdir`` (so no .env of the repository is read), with ``environment``."""

    def __init__(self, workdir: Path, environment: dict[str, str], *, argv: list[str] | None = None) -> None:
        self.port = int(environment["HTTP_PORT"])
        self.child = Child("bot", argv or [sys.executable, "-m", "bot", "run"], workdir, environment, capture=False)
        self.started = time.monotonic()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.child.pid

    async def wait_healthy(self, within: float = 60.0, poll: float = 0.01) -> float:
        """Seconds from start to the first 200 on /healthz (asynchronous: the wire counter shares this loop)."""
        deadline = self.started + within
        async with httpx.AsyncClient(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.child.process.poll() is not None:
                    raise RuntimeError(f"the bot exited with {self.child.process.returncode}:\n{self.child.tail()}")
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return time.monotonic() - self.started
                except httpx.TransportError:
                    pass
                await asyncio.sleep(poll)
        raise RuntimeError(f"the bot was not healthy within {within}s:\n{self.child.tail()}")

    def stop(self) -> int | None:
        return self.child.stop()

    def problems(self) -> dict[str, int]:
        """The bot's ERROR and WARNING log lines so far, counted by kind (ids and numbers folded)."""
        text = self.child.log_path.read_text(errors="replace") if self.child.log_path.exists() else ""
        found: Counter[str] = Counter()
        for line in text.splitlines():
            match = _PROBLEM.search(line)
            if match:
                found[_DIGITS.sub("N", match.group(1))[:160]] += 1
        return dict(found.most_common())
