"""The knowledge-base check: the real base passes, and each kind of untraceable file is named."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from bot.retrieval.kbcheck import check_file, check_knowledge, well_formed_url
from tests.conftest import COACH, ROOT, coach_env

TODAY = date(2026, 11, 23)

CASE = """---
title: "Case: a good one"
kind: case
tags: [example]
source: "NHS England, A real publication (2024)"
source_url:
  - https://www.england.nhs.uk/example-publication/
reviewed: 2026-11-20
---
# Case: a good one

What happened, in one line.

## Reported

The source says this happened.

## Lessons for your partnership

- Do this next time.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def reasons(folder: Path, text: str, name: str = "cases/x.md") -> list[str]:
    path = write(folder, name, text)
    return [p.reason for p in check_file(path, folder, today=TODAY)]


def test_the_whole_knowledge_base_passes():
    problems = check_knowledge(ROOT / "knowledge")
    assert not problems, "\n".join(str(p) for p in problems)


def test_a_good_case_passes(tmp_path):
    assert reasons(tmp_path, CASE) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("source_url:\n  - https://www.england.nhs.uk/example-publication/\n", ""), "source_url"),
        (("reviewed: 2026-11-20", "reviewed: last week"), "not an ISO date"),
        (("reviewed: 2026-11-20", "reviewed: 2027-01-01"), "in the future"),
        (("reviewed: 2026-11-20\n", ""), "lacks reviewed"),
        (("A real publication (2024)", "Supplier-written case study (undated)"), "placeholder"),
        (("https://www.england.nhs.uk/example-publication/", "www.nhs.uk no scheme"), "URL"),
        (
            ("## Reported\n\nThe source says this happened.\n", "## What happened\n\nIt did.\n"),
            "'Reported'",
        ),
        (("## Lessons for your partnership", "## Next steps"), "'Lesson'"),
        (
            ("## Reported\n\nThe source says this happened.\n", "## Reported\n\n## Results\n"),
            "empty",
        ),
        (("What happened, in one line.", "See [the report](not-a-url)."), "link"),
        (("tags: [example]", "tags: []"), "tags"),
    ],
)
def test_each_untraceable_file_is_named_with_its_reason(tmp_path, change, expected):
    old, new = change
    assert old in CASE
    found = reasons(tmp_path, CASE.replace(old, new))
    assert any(expected in reason for reason in found), found


def test_placeholder_in_a_guide_and_missing_url_allowed_for_guides(tmp_path):
    guide = CASE.replace("kind: case", "kind: guide").replace(
        "source_url:\n  - https://www.england.nhs.uk/example-publication/\n", ""
    )
    assert reasons(tmp_path, guide, "guides/g.md") == []
    bad = guide.replace("A real publication (2024)", "report on barriers to collaboration (2019)")
    assert any("placeholder" in r for r in reasons(tmp_path, bad, "guides/g.md"))


def test_files_that_cannot_load_are_reported_not_raised(tmp_path):
    write(tmp_path, "cases/empty.md", "")
    write(tmp_path, "notes/plain.txt", "A plain note with no front matter.")
    problems = {p.path: p.reason for p in check_knowledge(tmp_path, today=TODAY)}
    assert problems["cases/empty.md"] == "empty file"
    assert "no front matter" in problems["notes/plain.txt"]


def test_url_shapes():
    assert well_formed_url("https://www.gov.uk/x")
    assert well_formed_url("http://innovationagencyexchange.org.uk/projects/dont-wait")
    for bad in ("", "gov.uk/x", "ftp://x.org", "https://localhost/x", "https://a.org/has space"):
        assert not well_formed_url(bad), bad


@pytest.mark.slow  # a real `coach` process
def test_coach_index_check_names_failing_files_and_exits_1(tmp_path):
    knowledge = tmp_path / "knowledge"
    write(knowledge, "cases/good.md", CASE)
    write(knowledge, "cases/bad.md", CASE.replace("## Lessons for your partnership", "## Next"))
    env = coach_env(tmp_path, COACH_KNOWLEDGE_DIR=str(knowledge))
    run = subprocess.run(
        [COACH, "index", "--check"], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 1
    assert "cases/bad.md: case has no 'Lesson' section" in run.stderr
    assert "cases/good.md" not in run.stderr
    assert "1 of 2 knowledge files fail" in run.stderr
    write(knowledge, "cases/bad.md", CASE)
    ok = subprocess.run(
        [COACH, "index", "--check"], capture_output=True, text=True, env=env, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert "2 knowledge files pass" in ok.stdout
    assert not (tmp_path / "data").exists(), "--check builds no index"
