"""The privacy guard measured on the generated corpus: nothing missed, false positives under 2%.

The corpus (benchmarks/privacy_corpus.py) plants every identifier format from issue 7 and more in
ordinary sentences, and adds ordinary NHS planning sentences that must survive untouched. Both
the tuning part and the held-back part are checked; the benchmark reports them separately.
"""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.privacy_corpus import Sample, corpus, survives
from bot.privacy import redact_identifiers

PARTS = ("tuning", "held_back")


@pytest.fixture(scope="module")
def guarded() -> dict[str, list[tuple[Sample, str, bool]]]:
    """Every sample of both parts with its redacted text and whether anything was removed."""
    out: dict[str, list[tuple[Sample, str, bool]]] = {}
    for part in PARTS:
        rows = []
        for sample in corpus(part):
            result = redact_identifiers(sample.text)
            rows.append((sample, result.text, result.changed))
        out[part] = rows
    return out


def test_corpus_is_big_enough_and_deterministic() -> None:
    samples = corpus("tuning") + corpus("held_back")
    planted = [s for s in samples if s.kind != "ordinary"]
    ordinary = [s for s in samples if s.kind == "ordinary"]
    assert len(planted) >= 1000
    assert len(ordinary) >= 300
    assert corpus("tuning") == corpus("tuning")
    assert corpus("tuning", seed=8) != corpus("tuning")
    kinds = Counter(s.kind for s in planted)
    assert set(kinds) == {
        "nhs_number", "chi_number", "postcode", "ni_number", "email", "phone", "date_of_birth",
        "name",
    }  # fmt: skip


def test_held_back_part_uses_wording_the_tuning_part_never_has() -> None:
    tuning = {s.text for s in corpus("tuning")}
    held = corpus("held_back")
    assert not tuning & {s.text for s in held}
    assert any(s.text.startswith("Flagging ") for s in held)
    assert not any(t.startswith("Flagging ") for t in tuning)


@pytest.mark.slow  # the whole corpus through the guard, name model included
@pytest.mark.parametrize("part", PARTS)
def test_no_planted_identifier_survives(guarded: dict, part: str) -> None:
    missed = [
        (sample.kind, sample.variant, sample.text, text)
        for sample, text, _ in guarded[part]
        if sample.kind != "ordinary" and any(survives(s, text) for s in sample.secrets)
    ]
    assert missed == []


@pytest.mark.slow
@pytest.mark.parametrize("part", PARTS)
def test_false_positive_rate_is_under_two_percent(guarded: dict, part: str) -> None:
    ordinary = [(sample, text, changed) for sample, text, changed in guarded[part]]
    ordinary = [row for row in ordinary if row[0].kind == "ordinary"]
    false_positives = [(sample.text, text) for sample, text, changed in ordinary if changed]
    rate = len(false_positives) / len(ordinary)
    print(f"{part}: false positives {len(false_positives)}/{len(ordinary)} = {rate:.2%}")
    assert rate < 0.02, false_positives[:10]


def test_survives_compares_numbers_without_their_spacing() -> None:
    assert survives("943 476 5919", "ref 943-476-5919")
    assert not survives("943 476 5919", "ref [NHS number removed]")
    assert survives("Smith", "Mrs Smith came")
    assert not survives("Smith", "Mrs Smithson came")
