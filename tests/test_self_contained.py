"""A fresh clone needs nothing outside itself: the test servers' specs are vendored, and nothing reads beyond.

The checkout's files are copied into an empty temporary folder and a few suites that load every platform's spec
run there, with an audit hook that records every file opened outside the copy, the Python installation and the
system's own folders. A path to something beside the repository (a sibling folder of specs) is such a read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
SUITES_THAT_READ_EVERY_SPEC = [
    "tests/zoom/test_fake_zoom_essentials.py",
    "tests/telegram_fake/test_essentials.py",
    "tests/slack_fake/test_fake_slack_server.py::test_methods_keep_to_the_spec",
    "tests/stripe_fake/test_fake_stripe_server.py::test_a_checkout_session_is_shaped_like_stripes_and_read_back",
]

# Loaded by the copied run (``-p read_audit``): remembers every file opened outside the allowed folders.
READ_AUDIT_PLUGIN = """
import os, sys
from pathlib import Path

_ALLOWED = tuple(p for p in os.environ["READ_AUDIT_ALLOWED"].split(os.pathsep) if p)
_outside = set()

def _hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if not path.startswith(_ALLOWED):
            _outside.add(path)

sys.addaudithook(_hook)

def pytest_unconfigure(config):
    Path(os.environ["READ_AUDIT_REPORT"]).write_text("\\n".join(sorted(_outside)))
"""


def _tracked_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPOSITORY,
        capture_output=True,
        check=True,
    )
    return [name for name in listing.stdout.decode().split("\0") if name and (REPOSITORY / name).is_file()]


def copy_checkout(destination: Path) -> None:
    """The files of the checkout (tracked, or new and not ignored) copied under ``destination``."""
    for name in _tracked_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPOSITORY / name, target)


def test_a_copy_alone_in_an_empty_folder_passes_the_suites_that_read_the_specs(tmp_path: Path) -> None:
    copy = tmp_path / "empty" / "classbot"
    copy_checkout(copy)
    (copy / "read_audit.py").write_text(READ_AUDIT_PLUGIN)
    report = tmp_path / "reads-outside.txt"
    scratch, temporary = tmp_path / "scratch", tmp_path / "temporary"
    temporary.mkdir()
    system_folders = ["/dev/", "/proc/", "/sys/", "/etc/", "/usr/", "/lib"]
    python_folders = {sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]}
    own_folders = [copy, scratch, temporary]
    allowed = [*(f"{folder}{os.sep}" for folder in [*own_folders, *python_folders]), *system_folders, str(temporary)]
    environment = {
        **os.environ,
        # The copy's packages come first, ahead of the editable installs that point at the original checkout.
        "PYTHONPATH": os.pathsep.join([str(copy), str(copy / "fakes")]),
        "READ_AUDIT_ALLOWED": os.pathsep.join(allowed),
        "READ_AUDIT_REPORT": str(report),
        "TMPDIR": str(temporary),
    }
    for variable in ("ZOOM_OPENAPI_SPEC", "TELEGRAM_BOT_API_SPEC", "SLACK_WEB_API_SPEC"):
        environment.pop(variable, None)

    pytest = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "read_audit",
        f"--basetemp={scratch}",
    ]
    run = subprocess.run(
        [*pytest, *SUITES_THAT_READ_EVERY_SPEC],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "passed" in run.stdout
    assert report.read_text() == "", f"read outside the copy: {report.read_text()}"


def test_installing_the_product_installs_no_test_server(tmp_path: Path) -> None:
    """What ``pip install .`` takes, as setuptools itself lists it from pyproject.toml: ClassBot, not its fakes."""
    copy = tmp_path / "classbot"
    copy_checkout(copy)
    listing = tmp_path / "listing"
    listing.mkdir()
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "egg_info", "--egg-base", str(listing)],
        cwd=copy,
        capture_output=True,
        check=True,
        timeout=120,
    )
    metadata = listing / "classbot.egg-info"
    packaged = (metadata / "SOURCES.txt").read_text().split()

    assert (metadata / "top_level.txt").read_text().split() == ["bot"]
    assert "bot/app.py" in packaged
    assert "bot/storage/migrations/versions/0001_initial_schema.py" in packaged
    assert not [name for name in packaged if "fakes" in name]
