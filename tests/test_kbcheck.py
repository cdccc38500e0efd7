"""The knowledge-base check: the real base passes, and each kind of untraceable file is named."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from bot.retrieval.kbcheck import (
    check_file,
    check_knowledge,
    figure_sentences,
    warn_file,
    warn_knowledge,
    well_formed_url,
)
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


def warnings(folder: Path, text: str, name: str = "cases/x.md", today: date = TODAY) -> list[str]:
    path = write(folder, name, text)
    return [w.reason for w in warn_file(path, folder, today=today)]


def test_a_review_older_than_twelve_months_is_a_warning_not_a_failure(tmp_path):
    stale = CASE.replace("reviewed: 2026-11-20", "reviewed: 2025-11-22")
    assert reasons(tmp_path, stale) == []  # still passes the check
    found = warnings(tmp_path, stale)
    assert len(found) == 1 and "2025-11-22" in found[0] and "12 months" in found[0], found


def test_a_review_exactly_twelve_months_old_is_not_yet_stale(tmp_path):
    assert warnings(tmp_path, CASE.replace("reviewed: 2026-11-20", "reviewed: 2025-11-23")) == []
    # 29 February has no twin a year later: the month's last day is the boundary.
    leap = CASE.replace("reviewed: 2026-11-20", "reviewed: 2024-02-28")
    assert warnings(tmp_path, leap, today=date(2025, 2, 28)) == []
    assert warnings(tmp_path, leap, today=date(2025, 3, 1))


def test_guides_and_frameworks_are_checked_for_staleness_too(tmp_path):
    guide = CASE.replace("kind: case", "kind: guide").replace("2026-11-20", "2024-01-01")
    assert any("12 months" in w for w in warnings(tmp_path, guide, "guides/g.md"))


FIGURES = """
## Reported

In 2014 the service saw 1,479 patients; 65.4% were reviewed face to face. No figure here.

- The council approved £67m over ten years.
- Staff used DCB0129 and the Core20PLUS5 approach.
"""


def test_each_figure_in_a_case_without_a_source_url_is_named(tmp_path):
    unsourced = CASE.replace(
        "source_url:\n  - https://www.england.nhs.uk/example-publication/\n", ""
    ).replace("## Reported\n\nThe source says this happened.\n", FIGURES)
    found = [w for w in warnings(tmp_path, unsourced) if "figure with no source" in w]
    assert len(found) == 2, found
    assert "1,479 patients" in found[0] and "£67m" in found[1]
    assert not any("No figure here" in w or "DCB0129" in w for w in found)


def test_figures_in_a_sourced_case_or_a_guide_are_not_warned_about(tmp_path):
    sourced = CASE.replace("## Reported\n\nThe source says this happened.\n", FIGURES)
    assert warnings(tmp_path, sourced) == []
    guide = sourced.replace("kind: case", "kind: guide").replace(
        "source_url:\n  - https://www.england.nhs.uk/example-publication/\n", ""
    )
    assert warnings(tmp_path, guide, "guides/g.md") == []


def test_a_placeholder_source_counts_as_no_source_for_figures(tmp_path):
    placeholder = CASE.replace("A real publication (2024)", "undated case study").replace(
        "## Reported\n\nThe source says this happened.\n", FIGURES
    )
    assert any("figure with no source" in w for w in warnings(tmp_path, placeholder))


def test_an_interpretation_section_must_say_it_is_not_reported(tmp_path):
    extra = "## Interpretation\n\nOur reading of it.\n\n## Lessons for your partnership"
    labelled = extra.replace("## Interpretation\n", "## Interpretation (not reported)\n")
    unlabelled = CASE.replace("## Lessons for your partnership", extra)
    assert any("'Interpretation (not reported)'" in w for w in warnings(tmp_path, unlabelled))
    assert warnings(tmp_path, CASE.replace("## Lessons for your partnership", labelled)) == []


def test_figure_sentences_split_sentences_and_skip_names_with_digits():
    body = "# Title 2024\n\nA rose 11%. B did not. DCB0160 applies.\n1. Over 50,000 returned."
    assert figure_sentences(body) == ["A rose 11%.", "Over 50,000 returned."]


def test_files_that_cannot_load_have_no_warnings(tmp_path):
    write(tmp_path, "cases/empty.md", "")
    assert warn_knowledge(tmp_path, today=TODAY) == []


def test_the_real_knowledge_base_has_no_warnings_today():
    found = warn_knowledge(ROOT / "knowledge", today=date(2026, 12, 4))
    assert not found, "\n".join(str(w) for w in found)


@pytest.mark.slow  # a real `coach` process
def test_coach_index_check_lists_warnings_and_still_exits_0(tmp_path):
    knowledge = tmp_path / "knowledge"
    write(knowledge, "cases/old.md", CASE.replace("reviewed: 2026-11-20", "reviewed: 2020-01-01"))
    env = coach_env(tmp_path, COACH_KNOWLEDGE_DIR=str(knowledge))
    # Run this checkout's code even where the shared virtualenv is installed from another one.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env["PYTHONPATH"]])
    run = subprocess.run(
        [COACH, "index", "--check"], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "⚠ cases/old.md: last reviewed 2020-01-01" in run.stderr
    assert "1 knowledge files pass the check (1 warning)" in run.stdout


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
