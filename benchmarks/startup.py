"""Start-up: how long `coach` takes before it does anything, each run a fresh process.

A person typing `coach --help` or `coach drafts list` pays the interpreter and every import
again each time, so these are measured as new processes, the median of several runs (the first
run also pays a cold disk cache, the median does not). CPU seconds are reported beside wall
seconds: on a busy machine wall time mostly measures the neighbours, CPU time the command.

Every command runs once untimed first, with bytecode caching on (in a temporary folder, so the
shared work tree gets no `__pycache__`): an installed coach (the Docker image's `pip install .`)
runs from cached bytecode. A caller's PYTHONDONTWRITEBYTECODE with no bytecode in the tree made
each timed run recompile the ~30 project modules `drafts list` loads, some 60 ms (8% of it) that
no user pays.

The interpreter's build moves every number here by about a fifth: pyenv's default CPython (a
shared libpython, configured without --enable-optimizations or --with-lto) ran the floor and
`drafts list` some 20% slower than Debian's packaged python3.11 on the same machine and code.
Compare runs made with the same interpreter.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
GOAL_S = 0.5  # issue 12: `coach --help` and `coach drafts list` start in under half a second
COACH = str(Path(sys.executable).parent / "coach")

# name → (command, whether the goal applies to it)
COMMANDS: dict[str, tuple[list[str], bool]] = {
    "coach --help": ([COACH, "--help"], True),
    "coach drafts list": ([COACH, "drafts", "list"], True),
    "import bot.coaching.engine": ([sys.executable, "-c", "import bot.coaching.engine"], False),
    # The floor under `coach drafts list`: only importing the three libraries it cannot do
    # without (the store's SQLAlchemy, the settings' pydantic-settings, the CLI's Typer). The
    # command's own cost is its time minus this, on the same machine in the same run.
    "floor: import sqlalchemy.orm, pydantic_settings, typer": (
        [sys.executable, "-c", "import sqlalchemy.orm, pydantic_settings, typer"],
        False,
    ),
}


def _environment(home: Path) -> dict[str, str]:
    """The caller's environment without their coach, model or Slack settings, data in `home`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COACH_", "OPENAI_", "SLACK_", "DATABASE_URL"))
    }
    env["COACH_DATA_DIR"] = str(home / "data")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "bytecode")
    return env


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_once(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `command` in a new process."""
    cpu_before = _children_cpu_s()
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - started, _children_cpu_s() - cpu_before


def _measure(command: list[str], env: dict[str, str], cwd: Path, goal: bool) -> dict:
    runs = [_time_once(command, env, cwd) for _ in range(RUNS)]
    wall = [w for w, _ in runs]
    cpu = [c for _, c in runs]
    median_wall = statistics.median(wall)
    return {
        "median_s": round(median_wall, 3),
        "min_s": round(min(wall), 3),
        "median_cpu_s": round(statistics.median(cpu), 3),
        "runs": RUNS,
        "goal_s": GOAL_S if goal else None,
        "meets_goal": (median_wall < GOAL_S) if goal else None,
    }


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="coach-startup-") as folder:
        home = Path(folder)  # no .env here: the defaults, an empty SQLite store
        env = _environment(home)
        # Create and migrate the store once, as any first run does, and cache every command's
        # bytecode; the timed runs find both ready.
        for command, _ in COMMANDS.values():
            subprocess.run(command, env=env, cwd=home, check=True, capture_output=True, timeout=300)
        result = {
            name: _measure(command, env, home, goal) for name, (command, goal) in COMMANDS.items()
        }
    floor = next(value for name, value in result.items() if name.startswith("floor"))
    for name in ("coach --help", "coach drafts list"):
        result[name]["over_floor_s"] = round(result[name]["median_s"] - floor["median_s"], 3)
    return result
