"""The fast lane stays fast: the shared fixtures and fakes load no model, index or name model.

`make test-fast` fits in a minute because none of its tests loads torch, Chroma or Presidio;
tests/conftest.py fails a test that does. What it cannot see is an import at collection time,
before any test runs (a fixture module importing `bot.retrieval.search` at the top, say), so
this test imports what every fast test imports, in a fresh interpreter, and looks.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import HEAVY_MODULES, ROOT

SHARED = (
    "tests.conftest",
    "tests.slack_fixtures",
    "tests.fakes.search",
    "benchmarks.support.slack_harness",
    "benchmarks.support.fake_slack",
    "benchmarks.support.openai_server",
)


def test_the_shared_fixtures_and_fakes_load_no_model_index_or_name_model():
    code = "\n".join(
        [
            "import sys",
            *(f"import {module}" for module in SHARED),
            f"print(' '.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", f"loaded at import: {result.stdout.strip()}"
