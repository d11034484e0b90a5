"""Sampling the bot's CPU with py-spy while it works, and reading the samples for ClassBot's own code.

py-spy (``pip install py-spy``; it needs ptrace, so root or CAP_SYS_PTRACE in a container) is attached to the
running process, so the bot runs unmodified. Only the thread holding the GIL is sampled (``--gil``), so waits
in epoll are left out and the shares below are shares of the Python process's running time (C code that
releases the GIL is not seen; for this bot that is little). ``--format raw`` writes collapsed stacks
(``frame;frame;… count``), which speedscope, inferno or flamegraph.pl draw; ``summarize`` reads them three ways:

- inclusive: a ClassBot function's share of samples that have it anywhere on the stack;
- innermost own frame: the last ClassBot frame before library code, i.e. which of our lines hands work to
  SQLAlchemy, python-telegram-bot or httpx (what to change to make the work go away);
- by package: where the CPU finally burns (the sampled leaf frame's library).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")
_PACKAGES = (
    "sqlalchemy",
    "asyncpg",
    "telegram",
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "starlette",
    "uvicorn",
    "pydantic",
    "cryptography",
    "logging",
    "json",
    "asyncio",
    "selectors",
    "ssl",
)


def py_spy() -> str | None:
    found = Path(sys.executable).with_name("py-spy")
    return str(found) if found.exists() else shutil.which("py-spy")


class Profiler:
    """``py-spy record`` on ``pid`` from ``start()`` until ``stop()``; collapsed stacks in ``output``."""

    def __init__(self, pid: int, output: Path, *, rate: int = 100) -> None:
        executable = py_spy()
        if executable is None:
            raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
        # --gil: only the thread holding the GIL, i.e. Python actually running (waits in epoll are left out).
        self._argv = [executable, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw", "--gil"]
        self._argv += ["--output", str(output)]
        self.output = output
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(  # noqa: S603 - py-spy from our own environment
            self._argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted
        try:
            _, errors = self._process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            _, errors = self._process.communicate()
        if not self.output.exists():
            raise RuntimeError(f"py-spy wrote nothing: {errors.decode(errors='replace')[-2000:]}")


def _frames(stack: str) -> list[tuple[str, str]]:
    found = []
    for frame in stack.split(";"):
        match = _FRAME.match(frame.strip())
        if match:
            found.append((match["function"], match["file"]))
    return found


def _own(file: str) -> str | None:
    """``bot/core/bookings.py`` for a frame in ClassBot's own code, else None."""
    parts = Path(file).parts
    if "bot" not in parts or "site-packages" in parts:
        return None
    return "/".join(parts[parts.index("bot") :])


def _package(file: str) -> str:
    if _own(file):
        return "classbot (own code)"
    parts = Path(file).parts
    for name in _PACKAGES:
        if name in parts or Path(file).stem == name:
            return name
    return "other"


def summarize(path: Path, top: int = 15) -> dict[str, list[tuple[str, float]]]:
    """Shares (percent of samples) of ClassBot functions, innermost own frames, and leaf packages."""
    inclusive: Counter[str] = Counter()
    innermost: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = _frames(stack)
        own = [f"{_own(file)}:{function}" for function, file in frames if _own(file)]
        for name in set(own):
            inclusive[name] += count
        innermost[own[-1] if own else "(no ClassBot frame)"] += count
        packages[_package(frames[-1][1]) if frames else "other"] += count
    scale = 100.0 / max(1, total)
    return {
        "samples": [("total", float(total))],
        "inclusive": [(name, round(n * scale, 1)) for name, n in inclusive.most_common(top)],
        "innermost": [(name, round(n * scale, 1)) for name, n in innermost.most_common(top)],
        "packages": [(name, round(n * scale, 1)) for name, n in packages.most_common(top)],
    }


def render(summary: dict[str, list[tuple[str, float]]]) -> str:
    titles = {
        "inclusive": "ClassBot functions, inclusive (% of CPU samples with the function on the stack)",
        "innermost": "Innermost ClassBot frame (% of CPU samples; the library work each line sets off included)",
        "packages": "Where the CPU burns (% of CPU samples by the sampled frame's package)",
    }
    lines = [f"py-spy samples: {int(summary['samples'][0][1])}"]
    for key, title in titles.items():
        lines += ["", title] + [f"  {share:5.1f}%  {name}" for name, share in summary[key]]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(summarize(Path(sys.argv[1]))))
