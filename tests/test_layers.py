"""The house's arrows hold, and `make lint` catches an import that points the wrong way.

The contracts are in pyproject.toml (``[tool.importlinter]``). The check runs on a copy of the checkout, once as
it is and once with the core importing a chat front end, the kind of shortcut the layers exist to refuse.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.test_self_contained import copy_checkout

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(copy: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(copy), str(copy / "fakes")])}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=copy, env=environment, capture_output=True, text=True, timeout=120
    )


def test_the_layers_hold_and_a_core_module_importing_a_front_end_breaks_them(tmp_path: Path) -> None:
    copy = tmp_path / "classbot"
    copy_checkout(copy)
    as_it_is = _lint_imports(copy)
    assert as_it_is.returncode == 0, as_it_is.stdout[-3000:]

    shortcut = copy / "bot" / "core" / "classes.py"
    shortcut.write_text(shortcut.read_text() + "\nimport bot.handlers.telegram.base  # noqa: E402\n")
    broken = _lint_imports(copy)

    assert broken.returncode != 0
    assert "BROKEN" in broken.stdout
    assert "bot.core.classes -> bot.handlers.telegram.base" in broken.stdout
