"""What ran where, and what a process cost: read from /proc, so no extra dependency is needed (Linux only).

CPU time is user + system time of the process itself (its threads included), from ``/proc/PID/stat``; memory
is the resident set now (``VmRSS``) and at its peak (``VmHWM``) from ``/proc/PID/status``.
"""

from __future__ import annotations

import math
import os
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
_TICKS = os.sysconf("SC_CLK_TCK")


_REFERENCE_ADDITIONS = 5_000_000


@dataclass(frozen=True, slots=True)
class Machine:
    platform: str
    cpus: int
    python: str
    commit: str
    reference_loop_ms: float

    def describe(self) -> str:
        return (
            f"{self.platform}, {self.cpus} CPUs, Python {self.python}, ClassBot {self.commit}; "
            f"reference loop {self.reference_loop_ms:.0f} ms"
        )


def machine() -> Machine:
    return Machine(platform.platform(), os.cpu_count() or 0, platform.python_version(), commit(), reference_loop_ms())


def reference_loop_ms() -> float:
    """How fast this machine ran Python when the results were taken: the best of three runs of a fixed loop of
    additions. This host's speed has moved by 2x from one day to the next, so absolute times of two runs compare
    only alongside it; ratios measured within one run do not need it."""
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(_REFERENCE_ADDITIONS):
            total += number
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def commit() -> str:
    """The commit measured, marked "+changes" when the working tree differs (read-only git commands)."""
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        head = subprocess.run(  # noqa: S603 - git, read-only
            [git, "rev-parse", "--short", "HEAD"], cwd=REPOSITORY, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603 - git, read-only
            [git, "status", "--porcelain", "--untracked-files=no", "--", "bot"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+changes" if dirty else head


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime and stime, fields 14 and 15 of stat


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak, in MB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def machine_ticks() -> tuple[int, int]:
    """All CPUs' busy and total ticks since boot, from /proc/stat (idle and iowait count as not busy)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(fields[:8])  # guest time is already counted in user time
    return total - fields[3] - fields[4], total


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


class CpuWindow:
    """CPU seconds used by a set of processes between ``start()`` and ``stop()``, with the wall time."""

    def __init__(self, pids: dict[str, int]) -> None:
        self._pids = pids
        self._started: dict[str, float] = {}
        self._wall = 0.0
        self._ticks = (0, 0)
        self.used: dict[str, float] = {}
        self.wall = 0.0
        self.machine_busy = 0.0  # share of all CPUs' time that was busy (any process)

    def start(self) -> None:
        self._wall = time.monotonic()
        self._started = {name: cpu_seconds(pid) for name, pid in self._pids.items()}
        self._ticks = machine_ticks()

    def stop(self) -> None:
        self.wall = time.monotonic() - self._wall
        self.used = {name: cpu_seconds(pid) - self._started[name] for name, pid in self._pids.items()}
        busy, total = machine_ticks()
        self.machine_busy = (busy - self._ticks[0]) / max(1, total - self._ticks[1])
