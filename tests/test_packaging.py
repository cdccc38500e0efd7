"""A wheel of the project works on its own: `pip install .` (not -e) runs doctor, index and chat.

An editable install runs from the checkout, so code that reaches for `prompts/` or `knowledge/`
beside the package works there and nowhere else. Here the project is built and installed into
a temporary folder (offline, dependencies left to .venv) and run from a directory far from the
checkout, with no COACH_KNOWLEDGE_DIR, so everything it reads must come from the installed copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from tests.conftest import GUARDED_ENV, ROOT, coach_env

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
# What a wheel is built from: everything else in the checkout stays out of it.
BUILD_INPUTS = ("pyproject.toml", "README.md", "bot", "prompts", "knowledge")


def packages_on_disk() -> set[str]:
    """Every folder under bot/ that holds something other than bytecode, as a package name."""
    found = set()
    for folder in [ROOT / "bot", *(ROOT / "bot").rglob("*")]:
        if not folder.is_dir() or "__pycache__" in folder.parts:
            continue
        if any(f.is_file() and f.suffix != ".pyc" for f in folder.iterdir()):
            found.add(".".join(folder.relative_to(ROOT).parts))
    return found


def test_every_package_under_bot_is_in_the_wheel() -> None:
    listed = set(SETUPTOOLS["packages"])
    mapped = SETUPTOOLS["package-dir"]
    missing = sorted(packages_on_disk() - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"
    assert listed - packages_on_disk() == set(mapped), "a listed package has no folder"
    assert {folder for folder in mapped.values()} == {"prompts", "knowledge"}
    assert all((ROOT / folder).is_dir() for folder in mapped.values())


def install_wheel(into: Path, scratch: Path) -> None:
    """Build and install the project (not editable) into `into`, offline, without dependencies.

    The build runs on a copy of the checkout, so its build/ and *.egg-info land in `scratch`.
    """
    source = scratch / "source"
    for name in BUILD_INPUTS:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHONPATH"))}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1")
    offline = ["--quiet", "--no-deps", "--no-index", "--no-build-isolation"]
    subprocess.run(
        [sys.executable, "-m", "pip", "install", *offline, "--target", str(into), str(source)],
        env=env,
        cwd=scratch,
        check=True,
        capture_output=True,
        timeout=600,
    )


@pytest.mark.slow
def test_an_installed_wheel_runs_doctor_index_and_chat(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_wheel(site, tmp_path / "build")
    elsewhere = tmp_path / "elsewhere"  # no knowledge/, prompts/ or .env here
    elsewhere.mkdir()
    env = coach_env(tmp_path, COLUMNS="400")
    del env["COACH_KNOWLEDGE_DIR"]
    env["PYTHONPATH"] = os.pathsep.join([str(site), GUARDED_ENV["PYTHONPATH"]])
    coach = [str(site / "bin" / "coach")]

    def run(args: list[str], stdin: str | None = None, timeout: int = 300) -> str:
        done = subprocess.run(
            args,
            input=stdin,
            env=env,
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        return done.stdout

    locate = (
        "import bot.prompts, bot.settings, bot.drafts.db as db\n"
        "for path in (bot.__file__, bot.prompts.PROMPTS_DIR, db.MIGRATIONS_DIR,\n"
        "             bot.settings.load_settings().coach_knowledge_dir):\n"
        "    print(path)\n"
    )
    where = run([sys.executable, "-c", locate]).splitlines()
    assert all(line.startswith(str(site)) for line in where if line), where

    assert "Passages:" in run([*coach, "index"], timeout=1500)
    doctor = run([*coach, "doctor"])
    assert "✗" not in doctor and "prompts" in doctor and str(site) in doctor

    answers = [GOOD_ANSWERS["context.partners"], GOOD_ANSWERS["context.topic"]]
    script = "\n".join(["/new Packaged draft", *answers, "/quit"])
    chat = run([*coach, "chat", "--user", "pat"], stdin=script)
    assert "Packaged draft" in chat and "Who exactly is affected" in chat
