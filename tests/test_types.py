"""bot/ type-checks clean with mypy (configured in pyproject.toml), as `make lint` also checks.

Run in the suite too, so a change that breaks a type cannot land by skipping `make lint`.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_bot_type_checks_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(ROOT / ".mypy_cache")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout


# `# type: ignore[code]  # why`: the code names what is silenced, the comment says why it is right
_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<code>\[[a-z-, ]+\])?(?P<rest>.*)$")


def test_every_type_ignore_names_its_error_and_gives_a_reason() -> None:
    bare = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if (found := _IGNORE.search(line)) is None:
                continue
            reason = found["rest"].strip().lstrip("#").strip()
            if not found["code"] or not reason:
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "silenced without a code and a reason:\n" + "\n".join(bare)
