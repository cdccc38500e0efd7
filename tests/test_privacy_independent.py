"""The independent privacy set through the real guard (issue 19, item 5).

`tests/data/privacy_independent.yaml` was written by someone who never read the guard's code,
from the README's promise alone, and frozen before the guard was tuned (its `.md` says how). The
first figure, before any tuning, was 25 of 212 identifiers surviving (1 NHS number) and 6 of 90
identifier-free messages altered; then 8 of 212 (3.8%). Now 1 of 212 (0.5%, within the issue's
1%) with no NHS number and no false positive. The one left is a name removed whole whose
surname ("Ward") the scorer still finds as a word elsewhere in the message ("the wrong ward"):
the bound counts it rather than bend the scorer. Tighten the bound as the guard improves; never
loosen it.
"""

from __future__ import annotations

import pytest

from benchmarks import privacy_independent

pytestmark = pytest.mark.slow  # 258 messages through the guard, name model included


@pytest.fixture(scope="module")
def measured() -> dict:
    return privacy_independent.measure()


def test_the_set_is_the_frozen_one() -> None:
    positives, negatives = privacy_independent.load()
    assert sum(len(p.identifiers) for p in positives) == 212
    assert len(negatives) == 90


def test_no_nhs_number_survives(measured: dict) -> None:
    assert measured["missed_by_kind"]["nhs_number"] == "0/65", measured["missed_ids"]


def test_identifiers_surviving_stay_within_what_the_guard_reaches(measured: dict) -> None:
    assert measured["missed"] <= 1, measured["missed_ids"]
    assert measured["missed_rate"] <= 0.01


def test_false_positives_are_under_two_percent(measured: dict) -> None:
    assert measured["false_positive_rate"] <= 0.02, measured["false_positive_ids"]
    assert measured["false_positive_messages"] == 0, measured["false_positive_ids"]
