"""Every benchmark in turn (``make bench``), each run's raw output kept under ``bench/runs/``.

    python -m bench.all [NAME ...] [-- ARGUMENT ...]

Without a NAME, all of them in the order of ``BENCHMARKS``; arguments after ``--`` go to each one named
(``python -m bench.all overhead_ratio -- --rounds 9``).

Each benchmark runs as its own ``python -m bench.MODULE`` process (Slack's burst twice, in HTTP and in Socket
Mode); what it prints goes to the terminal and, as it comes, to ``bench/runs/<date>T<time>Z-<commit>/<NAME>.txt``
(small text files, kept in the repository), headed by the command, the machine and the reference loop's time, so
numbers of two runs on different hosts or days can be compared. The benchmarks themselves rewrite their blocks of
``bench/RESULTS.md`` and name this folder there. A benchmark that fails does not stop the others; the run fails at
the end.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.machine import REPOSITORY, commit, machine
from bench.report import RUN_FOLDER_VARIABLE

# Each benchmark's name, and how it is run: its module under bench/ and the arguments it always gets.
BENCHMARKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "footprint": ("footprint", ()),
    "booking_burst": ("booking_burst", ()),
    "overhead_ratio": ("overhead_ratio", ()),
    "statement_cost": ("statement_cost", ()),
    "slack_burst": ("slack_burst", ()),
    # Socket Mode at a smaller size: its limits-on run would repeat HTTP mode's (the same calls and tiers).
    "slack_burst_socket": ("slack_burst", ("--mode", "socket", "--parents", "60", "--limited-parents", "0")),
    "python_calls": ("python_calls", ()),
    "scale_curve": ("scale_curve", ()),
}
RUNS = Path(__file__).resolve().parent / "runs"


def run_folder() -> Path:
    """A new folder for this run, named by the time (UTC) and the commit measured."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%MZ")
    folder = RUNS / f"{stamp}-{commit().replace('+', '-')}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_one(name: str, folder: Path, extra: list[str]) -> int:
    """Run benchmark ``name``, copying its output line by line to the terminal and to ``folder/NAME.txt``."""
    module, fixed = BENCHMARKS[name]
    arguments = [*fixed, *extra]
    command = [sys.executable, "-m", f"bench.{module}", *arguments]
    environment = os.environ | {RUN_FOLDER_VARIABLE: str(folder.relative_to(REPOSITORY))}
    with (folder / f"{name}.txt").open("w") as kept:
        started = datetime.now(UTC)
        shown = shlex.join(["python", "-m", f"bench.{module}", *arguments])
        kept.write(f"$ {shown}\n# started {started:%Y-%m-%d %H:%M:%S} UTC on {machine().describe()}\n")
        kept.flush()
        with subprocess.Popen(  # noqa: S603 - this interpreter, one of our own modules
            command, cwd=REPOSITORY, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                kept.write(line)
        seconds = (datetime.now(UTC) - started).total_seconds()
        kept.write(f"# exit status {process.returncode} after {seconds:.0f} s\n")
    return process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.all", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"of {', '.join(BENCHMARKS)}")
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    arguments = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    unknown = set(arguments.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"no benchmark named {', '.join(sorted(unknown))}")
    names = arguments.names or list(BENCHMARKS)
    folder = run_folder()
    print(f"raw output: {folder.relative_to(REPOSITORY)}", flush=True)
    failed = [name for name in names if run_one(name, folder, extra) != 0]
    if failed:
        sys.exit(f"failed: {', '.join(failed)} (output in {folder.relative_to(REPOSITORY)})")


if __name__ == "__main__":
    main()
