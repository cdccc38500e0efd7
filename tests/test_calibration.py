"""The calibration benchmark's arithmetic and its reading of the frozen rated drafts."""

from __future__ import annotations

import pytest

from benchmarks import calibration


def test_ranks_share_ties():
    assert calibration.ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]


def test_spearman_is_one_for_the_same_order_and_minus_one_reversed():
    assert calibration.spearman([1, 2, 3, 4], [10, 40, 50, 90]) == pytest.approx(1.0)
    assert calibration.spearman([1, 2, 3, 4], [9, 7, 3, 1]) == pytest.approx(-1.0)


def test_spearman_with_ties_matches_a_worked_value():
    # ranks x = 1, 2.5, 2.5, 4; y = 1, 2, 3, 4: Pearson of the ranks is 0.9487
    assert calibration.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9487, abs=1e-4)


def test_every_rated_draft_becomes_a_scored_draft_with_its_parties():
    drafts = calibration.load_drafts()
    assert len(drafts) >= 60
    content = calibration.as_content(drafts[0])
    assert content.problem_statement == drafts[0]["problem"]
    assert [p.party for p in content.value_proposition][:1] == ["Patients and carers"]


@pytest.mark.slow  # the parse behind the solution check loads spaCy (and, through it, torch)
def test_run_reports_the_figures_the_issue_asks_for():
    result = calibration.run()
    assert result["drafts"] == len(calibration.load_drafts())
    assert -1.0 <= result["spearman"] <= 1.0
    assert len(result["worst"]) == calibration.WORST_SHOWN
    assert all(row["why"] for row in result["worst"])
