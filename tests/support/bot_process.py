"""The real ClassBot process (``python -m bot``) run as a subprocess, as an operator would run it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.ports import free_port

REPOSITORY = Path(__file__).resolve().parents[2]


def _another_free_port(taken: int) -> int:
    while (port := free_port()) == taken:
        pass
    return port


class BotProcess:
    """Starts ``python -m bot`` with the given settings; its output goes to a log file the test can read.

    Its metrics listener is on a port of its own (``METRICS_PORT``, a free one unless the test names one), as an
    operator who scrapes /metrics runs it.
    """

    def __init__(self, workdir: Path, environment: dict[str, str]) -> None:
        self.workdir = workdir
        self.port = int(environment.get("HTTP_PORT") or free_port())
        self.metrics_port = int(environment.get("METRICS_PORT") or _another_free_port(self.port))
        self.environment = {
            **{key: value for key, value in os.environ.items() if key not in environment},
            "HTTP_PORT": str(self.port),
            "METRICS_PORT": str(self.metrics_port),
            "PYTHONPATH": str(REPOSITORY),
            **environment,
        }
        self.log_path = workdir / f"bot-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        """Where /metrics is served (no listener when the test set METRICS_PORT to 0)."""
        return f"http://127.0.0.1:{self.metrics_port}"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=self.workdir,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, timeout: float = 120.0) -> None:  # a second or two, unless the machine is starved
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200 and self._metrics_listening():
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"the bot was not healthy within {timeout}s:\n{self.output()}")

    def _metrics_listening(self) -> bool:
        return not self.metrics_port or httpx.get(f"{self.metrics_url}/metrics", timeout=1).status_code == 200

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Send ``signum`` and return the exit status, failing if the process outlives ``timeout``."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the bot did not exit within {timeout}s of signal {signum}") from None

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def process(self) -> subprocess.Popen[bytes]:
        assert self._process is not None, "start() first"
        return self._process
