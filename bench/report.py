"""Recording results: ``bench/results.json`` keeps each benchmark's latest numbers, and ``bench/RESULTS.md`` shows
them, each benchmark in its own block between ``<!-- bench:NAME -->`` markers, with one table of every target.

Only the marked blocks are rewritten, so notes written by hand outside them (a profile's reading, say) stay.
Each block says when, on what machine and by which command its numbers were measured.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.machine import REPOSITORY, machine, now_text

HERE = Path(__file__).resolve().parent
RUN_FOLDER_VARIABLE = "BENCH_RUN_FOLDER"  # set by bench.all: where this run's raw output is kept
RESULTS_FOLDER_VARIABLE = "BENCH_RESULTS_FOLDER"  # elsewhere than bench/ (a smoke test's scratch folder)
ORDER = (
    "booking_burst",
    "overhead_ratio",
    "statement_cost",
    "slack_burst",
    "slack_burst_socket",
    "python_calls",
    "scale_curve",
    "footprint",
)
_SKELETON = """# ClassBot benchmark results

Measured by `make bench` (or `python -m bench.NAME`); the blocks between `bench:` markers are rewritten by
each run, the rest of this file is written by hand.
"""


@dataclass(frozen=True, slots=True)
class Target:
    target: str
    measured: str
    met: bool | None  # None: could not be measured
    command: str


def command_line() -> str:
    """How this benchmark was started, as someone would type it."""
    module = sys.argv[0]
    name = Path(module).stem if module.endswith(".py") else module
    return shlex.join(["python", "-m", f"bench.{name}", *sys.argv[1:]])


def record(name: str, body: str, targets: list[Target], data: dict[str, Any]) -> None:
    """Store one benchmark's results and refresh RESULTS.md."""
    folder = Path(os.environ.get(RESULTS_FOLDER_VARIABLE) or HERE)
    results_json, results_md = folder / "results.json", folder / "RESULTS.md"
    results: dict[str, Any] = json.loads(results_json.read_text()) if results_json.exists() else {}
    results[name] = {
        "date": now_text(),
        "machine": asdict(machine()),
        "command": command_line(),
        "targets": [asdict(target) for target in targets],
        "body": body,
        "data": data,
    }
    if kept := os.environ.get(RUN_FOLDER_VARIABLE):  # run by bench.all, which keeps the raw output
        results[name]["raw_output"] = f"{kept}/{name}.txt"
    results_json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    text = results_md.read_text() if results_md.exists() else _SKELETON
    text = _replace_block(text, "targets", _targets_block(results), first=True)
    for known in [*ORDER, *sorted(set(results) - set(ORDER))]:
        if known in results:
            text = _replace_block(text, known, _section(known, results[known]))
    results_md.write_text(text)
    shown = results_md.relative_to(REPOSITORY) if results_md.is_relative_to(REPOSITORY) else results_md.name
    print(f"results: {shown}", flush=True)  # kept in bench/runs/: no machine's paths


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _met(met: bool | None) -> str:
    return "n/a" if met is None else ("yes" if met else "**no**")


def _targets_block(results: dict[str, Any]) -> str:
    rows = [
        [t["target"], t["measured"], _met(t["met"]), f"`{t['command']}`"]
        for name in [*ORDER, *sorted(set(results) - set(ORDER))]
        if name in results
        for t in results[name]["targets"]
    ]
    return "## Targets\n\n" + table(["target", "measured", "met", "command"], rows)


def _section(name: str, entry: dict[str, Any]) -> str:
    box = entry["machine"]
    where = f"{box['platform']}, {box['cpus']} CPUs, Python {box['python']}, ClassBot {box['commit']}"
    if "reference_loop_ms" in box:  # results recorded before the reference loop existed have none
        where += f"; reference loop (5M additions in Python, best of 3) {box['reference_loop_ms']:.0f} ms"
    rows = [[t["target"], t["measured"], _met(t["met"])] for t in entry["targets"]]
    raw = f" Raw output: `{entry['raw_output']}`." if entry.get("raw_output") else ""
    parts = [
        f"## {name}",
        f"Measured {entry['date']} on {where}, by `{entry['command']}`.{raw}",
        entry["body"].strip(),
    ]
    if rows:
        parts.append(table(["target", "measured", "met"], rows))
    return "\n\n".join(parts)


def _replace_block(text: str, name: str, content: str, *, first: bool = False) -> str:
    block = f"<!-- bench:{name} -->\n{content.strip()}\n<!-- /bench:{name} -->"
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    if first:
        head, _, rest = text.partition("\n\n")
        before, _, after = text.partition("<!-- bench:")
        if after:  # before the first existing block
            return f"{before}{block}\n\n<!-- bench:{after}"
        return f"{head}\n\n{rest.rstrip()}\n\n{block}\n" if rest else f"{head}\n\n{block}\n"
    return f"{text.rstrip()}\n\n{block}\n"
