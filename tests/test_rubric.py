"""The deterministic rubric, the merge with a model's scores, and the plain-text scorecard.

The weak and strong examples are the domain reference's own (section 1), so the rubric is held
to the same yardstick the coaches teach: each weak example scores lower than its strong one,
and each strong example meets the criterion wherever its text alone can show it.
"""

from __future__ import annotations

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.compose import compose_draft
from bot.coaching.recogniser import shared_recogniser
from bot.coaching.rubric import (
    CRITERIA,
    KEEP_IT,
    MAJOR_PREFIX,
    format_scorecard,
    has_major_problem,
    merge_scores,
    score_draft,
)
from bot.drafts.content import CriterionScore, DraftContent, PartyValue, RubricScore
from tests.conftest import watchdog

IDS = (
    "who",
    "gap",
    "evidence",
    "solution_neutral",
    "cause",
    "why_it_matters",
    "scoped",
    "measurable",
    "mutual_interest",
    "plain_and_short",
)

# Domain reference §1, verbatim: (weak, strong) per criterion.
DOMAIN_EXAMPLES: dict[str, tuple[str, str]] = {
    "who": (
        "patients get poor care",
        "adults on the COPD registers of 12 practices in one primary care network",
    ),
    "gap": (
        "discharge is slow",
        "fit-to-leave patients wait a median 2.5 days for a care package; the local standard "
        "is 24 hours",
    ),
    "evidence": (
        "everyone knows readmissions are high",
        "trust data Apr–Sep: 30-day readmissions 18% vs peer median 13%",
    ),
    "solution_neutral": (
        "we need a remote-monitoring app",
        "people with heart failure deteriorate unnoticed at home for days before admission",
    ),
    "cause": (
        "we lack nurses for an AF clinic",
        "a third of eligible people with known AF are not anticoagulated because reviews are "
        "unscheduled",
    ),
    "why_it_matters": (
        "this is important",
        "an estimated N avoidable strokes and £Y acute cost a year",
    ),
    "scoped": (
        "fix mental health access in the region",
        "waits for first contact, children's services, two boroughs, April–March, excluding "
        "crisis referrals",
    ),
    "measurable": (
        "improve patient experience",
        "reviews within 12 months from 60% to 80% by March, measured monthly",
    ),
    "mutual_interest": (
        "company X wants more patients on its product",
        "the trust, the council and the supplier each pay for failed discharges and each "
        "states its benefit",
    ),
    "plain_and_short": (
        "sub-optimal MDT-led LTC pathway utilisation across the ICS footprint",
        "people with several long-term conditions see teams that don't share plans, so they "
        "repeat tests and miss reviews",
    ),
}


def draft_for(criterion_id: str, text: str) -> tuple[DraftContent, dict[str, str]]:
    """A draft that puts one example where its criterion looks for it."""
    fields: dict = {"title": "Example", "problem_statement": "", "how_might_we": ""}
    answers: dict[str, str] = {}
    if criterion_id in ("who", "solution_neutral", "plain_and_short"):
        fields["problem_statement"] = text
    elif criterion_id == "gap":
        answers["affected.now"] = text
    elif criterion_id == "evidence":
        fields["evidence"] = [text]
    elif criterion_id == "cause":
        answers["cause.root"] = text
    elif criterion_id == "why_it_matters":
        answers["cause.why_matters"] = text
    elif criterion_id == "scoped":
        fields["scope"] = text
    elif criterion_id == "measurable":
        fields["measures"] = [text]
    elif criterion_id == "mutual_interest":
        if "each states its benefit" in text:  # the strong example names three parties
            fields["value_proposition"] = [
                PartyValue(party="The trust", value="Fewer bed days lost to failed discharges."),
                PartyValue(party="The council", value="Fewer emergency care home placements."),
                PartyValue(party="The supplier", value="A proven service model to offer others."),
            ]
        else:
            fields["value_proposition"] = [PartyValue(party="Company X", value=text)]
    return DraftContent(**fields), answers


def criterion_score(criterion_id: str, text: str) -> CriterionScore:
    content, answers = draft_for(criterion_id, text)
    score = score_draft(content, answers)
    return next(c for c in score.criteria if c.id == criterion_id)


STRONG = DraftContent(
    title="Failed discharges",
    partners=["The acute trust", "The county council", "A home-care supplier"],
    problem_statement=(
        "Adults fit to leave the acute wards of our trust wait a median 2.5 days for a home-care "
        "package; the local standard is 24 hours. The delays cost an estimated 4,000 bed days "
        "and £1.2m a year, and people lose strength while they wait. The main cause is that "
        "packages are only requested after the discharge decision, so assessments start late."
    ),
    how_might_we="How might we get adults who are fit to leave home within 24 hours?",
    value_proposition=[
        PartyValue(
            party="Patients and carers", value="Home sooner, stronger and more independent."
        ),
        PartyValue(party="The trust", value="About 4,000 bed days a year freed for new patients."),
        PartyValue(party="The county council", value="Fewer costly emergency placements."),
        PartyValue(party="The supplier", value="Steadier referrals and a model to offer others."),
    ],
    evidence=[
        "Trust data, April–September 2024: median wait for a care package 2.5 days",
        "Council brokerage records 2023/24: 1,100 packages requested on the day of discharge",
    ],
    measures=["Median wait for a package from 2.5 days to 1 day by March 2026, measured monthly"],
    scope=(
        "The trust's two acute wards for older people, April 2025 to March 2026, excluding "
        "people moving to care homes"
    ),
    risks="The trust's discharge lead is accountable; if the work stops, the council keeps the "
    "early-referral form so care continues.",
)

WEAK = DraftContent(
    title="Discharge",
    problem_statement=(
        "Patients get poor care and discharge is slow. We need a remote-monitoring app to "
        "improve patient experience across the MDT-led LTC pathway."
    ),
    how_might_we="How might we roll out the app?",
    value_proposition=[
        PartyValue(party="Company X", value="company X wants more patients on its product")
    ],
    evidence=["everyone knows readmissions are high"],
    measures=["improve patient experience"],
    scope="fix mental health access in the region",
)
WEAK_ANSWERS = {"cause.root": "we lack nurses for an AF clinic", "cause.why_matters": "important"}


# --- the criteria ------------------------------------------------------------------------------


def test_criteria_are_the_ten_in_order():
    assert tuple(c.id for c in CRITERIA) == IDS
    for c in CRITERIA:
        assert c.name and c.test and c.weak_example and c.strong_example
        assert "\n" not in c.test


@pytest.mark.parametrize("criterion_id", IDS)
def test_domain_weak_example_scores_lower_than_strong(criterion_id):
    weak, strong = DOMAIN_EXAMPLES[criterion_id]
    weak_score = criterion_score(criterion_id, weak)
    strong_score = criterion_score(criterion_id, strong)
    assert weak_score.score < strong_score.score, (weak_score.reason, strong_score.reason)
    assert strong_score.score == 2, strong_score.reason
    assert strong_score.suggestion == KEEP_IT
    assert weak_score.suggestion and weak_score.suggestion != KEEP_IT


@pytest.mark.parametrize("criterion", CRITERIA, ids=IDS)
def test_own_examples_behave_like_the_domain_ones(criterion):
    weak = criterion_score(criterion.id, criterion.weak_example)
    strong = criterion_score(criterion.id, criterion.strong_example)
    assert weak.score < strong.score == 2, (weak.reason, strong.reason)


@pytest.mark.parametrize(
    "criterion_id, weak_score",
    [
        ("who", 1),  # a group ("patients") but no setting
        ("gap", 0),
        ("evidence", 0),
        ("solution_neutral", 0),
        ("cause", 0),
        ("why_it_matters", 0),
        ("scoped", 1),  # a place ("the region") but no period or exclusion
        ("measurable", 0),
        ("mutual_interest", 0),
        ("plain_and_short", 0),  # unexplained acronyms and jargon
    ],
)
def test_domain_weak_examples_exact_scores(criterion_id, weak_score):
    assert criterion_score(criterion_id, DOMAIN_EXAMPLES[criterion_id][0]).score == weak_score


def test_major_problems_are_marked_in_the_reason():
    for criterion_id in ("solution_neutral", "cause", "measurable"):
        score = criterion_score(criterion_id, DOMAIN_EXAMPLES[criterion_id][0])
        assert score.reason.startswith(MAJOR_PREFIX) and has_major_problem(score)
        assert not has_major_problem(
            criterion_score(criterion_id, DOMAIN_EXAMPLES[criterion_id][1])
        )
    # other criteria never carry the marker, even when they fail
    assert not has_major_problem(criterion_score("who", "it is bad"))


# --- partial scores ----------------------------------------------------------------------------


def test_partial_scores():
    assert criterion_score("scoped", "two boroughs, 2025").score == 1
    assert criterion_score("scoped", "it").score == 0
    assert criterion_score("gap", "only a few are seen").score == 1  # comparison, no figure
    assert criterion_score("gap", "62% are seen").score == 1  # figure, no comparison
    assert criterion_score("why_it_matters", "people have strokes").score == 1
    assert criterion_score("cause", "chaos").score == 1  # a cause, but thin
    content = DraftContent(
        title="t",
        problem_statement="x",
        how_might_we="y",
        evidence=["Trust data 2024: 18%", "readmissions are high", "Audit: 12%"],
        measures=["from 60% to 80% by March", "improve experience"],
    )
    score = {c.id: c for c in score_draft(content).criteria}
    assert score["evidence"].score == 1 and "1 of 3" in score["evidence"].reason
    assert score["measurable"].score == 1 and has_major_problem(score["measurable"])


def test_how_might_we_naming_a_solution_scores_one():
    content = DraftContent(
        title="t",
        problem_statement=DOMAIN_EXAMPLES["solution_neutral"][1],
        how_might_we="How might we roll out an app for them?",
    )
    (neutral,) = [c for c in score_draft(content).criteria if c.id == "solution_neutral"]
    assert neutral.score == 1 and has_major_problem(neutral)


def test_mutual_interest_levels():
    def level(parties: list[tuple[str, str]]) -> int:
        content = DraftContent(
            title="t",
            problem_statement="x",
            how_might_we="y",
            value_proposition=[PartyValue(party=p, value=v) for p, v in parties],
        )
        return next(c.score for c in score_draft(content).criteria if c.id == "mutual_interest")

    patients = ("Patients", "Fewer strokes and fewer worries")
    nhs = ("The NHS organisation", "Fewer stroke admissions each year")
    partner = ("The partner organisation", "Evidence for a service model it can offer")
    assert level([patients, nhs, partner]) == 2
    assert level([patients, nhs]) == 1
    assert level([patients, nhs, ("The practice", "Targets met for the register")]) == 1
    assert level([patients, nhs, ("The partner", "Gains")]) == 1  # a trivial partner gain
    assert level([partner]) == 0
    assert level([]) == 0


def test_mutual_interest_falls_back_to_answers():
    content = DraftContent(title="t", problem_statement="x", how_might_we="y")
    score = score_draft(content, {k: GOOD_ANSWERS[k] for k in GOOD_ANSWERS if "value." in k})
    assert next(c for c in score.criteria if c.id == "mutual_interest").score == 2


def test_plain_and_short_counts_problems():
    def level(statement: str) -> int:
        content = DraftContent(title="t", problem_statement=statement, how_might_we="y")
        return next(c.score for c in score_draft(content).criteria if c.id == "plain_and_short")

    assert level("People wait too long. They get worse. Some die.") == 2
    assert level("People wait. They get worse. Some die. Carers struggle.") == 1  # 4 sentences
    assert level("People on the LTC list wait.") == 1  # one unexplained acronym
    assert level("People on the LTC list wait. They get worse. Some die. Carers struggle.") == 0
    # too long (distinct words: a word said twice in a row is a doubled join, a fault of its own)
    assert level(" ".join(f"word{i}" for i in range(91))) == 1
    assert level("") == 0


# --- whole drafts ------------------------------------------------------------------------------


def test_strong_complete_draft_scores_at_least_85():
    score = score_draft(STRONG)
    assert score.percent >= 85, format_scorecard(score)
    assert [c.id for c in score.criteria] == list(IDS)


def test_weak_complete_draft_scores_at_most_40():
    score = score_draft(WEAK, WEAK_ANSWERS)
    assert score.percent <= 40, format_scorecard(score)


def test_composed_good_conversation_scores_highly_with_or_without_answers():
    content = compose_draft("Stroke prevention in AF", [], GOOD_ANSWERS)
    assert score_draft(content, GOOD_ANSWERS).percent >= 85
    assert score_draft(content).percent >= 85


def test_cause_is_read_from_the_statement_when_there_are_no_answers():
    content = DraftContent(
        title="t",
        problem_statement="This matters because strokes cost £2m. The main cause is that we "
        "lack nurses.",
        how_might_we="y",
    )
    (cause,) = [c for c in score_draft(content).criteria if c.id == "cause"]
    assert cause.score == 0 and has_major_problem(cause) and "lack nurses" in cause.reason


def test_gate_failure_gives_zero_but_keeps_every_reason():
    passed = score_draft(STRONG)
    failed = score_draft(STRONG, pii_found=True)
    assert not failed.gate_passed and failed.percent == 0
    assert failed.total == passed.total
    assert [c.reason for c in failed.criteria] == [c.reason for c in passed.criteria]


def test_scoring_is_deterministic_and_one_line():
    first = score_draft(WEAK, WEAK_ANSWERS)
    assert first == score_draft(WEAK, WEAK_ANSWERS)
    for c in [*first.criteria, *score_draft(STRONG).criteria]:
        assert c.reason and "\n" not in c.reason
        assert (c.suggestion == KEEP_IT) == (c.score == 2)


def test_empty_draft_scores_zero_without_errors():
    score = score_draft(DraftContent(title="t", problem_statement="", how_might_we=""), None)
    assert len(score.criteria) == 10 and score.total == 0 and score.percent == 0


def test_scoring_a_ten_thousand_word_draft_completes():
    long = " ".join(
        ["Patients in our trust wait 2 days because we lack nurses to improve COPD"] * 700
    )
    content = DraftContent(
        title="t",
        problem_statement=long,
        how_might_we=long,
        evidence=[long],
        measures=[long],
        scope=long,
        value_proposition=[PartyValue(party="Patients", value=long)],
    )
    answers = {key: long for key in GOOD_ANSWERS}
    shared_recogniser().warm_up()  # trained once per process, not per draft
    with watchdog(seconds=60):  # a hang fails; speed is for make bench, not a unit test
        score = score_draft(content, answers)
    assert len(score.criteria) == 10
    assert all(len(c.reason) < 400 for c in score.criteria)


# --- merging with a model's scores -------------------------------------------------------------


def model_scores(score: int = 2, reason: str = "The model says so.") -> RubricScore:
    return RubricScore(
        criteria=[
            CriterionScore(id=c.id, name=c.name, score=score, reason=reason, suggestion="")
            for c in CRITERIA
        ]
    )


def test_merge_takes_the_models_scores_where_no_major_problem():
    deterministic = score_draft(STRONG)
    merged = merge_scores(deterministic, model_scores(1, "Model: partly."))
    assert [c.id for c in merged.criteria] == list(IDS)
    assert all(c.score == 1 and c.reason == "Model: partly." for c in merged.criteria)
    assert all(c.suggestion for c in merged.criteria)  # deterministic advice fills the gap


def test_merge_never_lets_the_model_overrule_a_major_problem():
    deterministic = score_draft(WEAK, WEAK_ANSWERS)
    merged = {c.id: c for c in merge_scores(deterministic, model_scores(2)).criteria}
    ours = {c.id: c for c in deterministic.criteria}
    for criterion_id in ("solution_neutral", "cause", "measurable"):
        assert merged[criterion_id].score == ours[criterion_id].score == 0
        assert merged[criterion_id].reason == ours[criterion_id].reason
    # where the failure is only minor, the model's judgement stands
    assert merged["who"].score == 2 and merged["who"].reason == "The model says so."
    assert merged["who"].suggestion == KEEP_IT


def test_merge_tolerates_omitted_misnamed_and_reordered_criteria():
    deterministic = score_draft(WEAK, WEAK_ANSWERS)
    model = RubricScore(
        criteria=[
            CriterionScore(id="plain_and_short", name="x", score=2, reason="Plain enough."),
            CriterionScore(id="WHO", name="x", score=2, reason="Clear group."),
            CriterionScore(id="3", name="The gap", score=2, reason="Found by name."),
            CriterionScore(id="nonsense", name="Made up", score=2, reason="Ignored."),
            CriterionScore(id="who", name="Who", score=0, reason="A duplicate, ignored."),
        ]
    )
    merged = merge_scores(deterministic, model)
    by_id = {c.id: c for c in merged.criteria}
    ours = {c.id: c for c in deterministic.criteria}
    assert [c.id for c in merged.criteria] == list(IDS)
    assert [c.name for c in merged.criteria] == [c.name for c in CRITERIA]
    assert by_id["who"].reason == "Clear group." and by_id["who"].score == 2
    assert by_id["gap"].reason == "Found by name."
    assert by_id["plain_and_short"].score == 2
    for omitted in ("evidence", "why_it_matters", "scoped", "mutual_interest"):
        assert by_id[omitted] == ours[omitted]
    assert all(c.reason != "Ignored." for c in merged.criteria)


def test_merge_keeps_the_deterministic_gate():
    deterministic = score_draft(STRONG, pii_found=True)
    merged = merge_scores(deterministic, model_scores(2))
    assert not merged.gate_passed and merged.percent == 0
    assert (
        merge_scores(score_draft(STRONG), RubricScore(criteria=[])).percent
        == score_draft(STRONG).percent
    )


# --- the scorecard -----------------------------------------------------------------------------


def test_scorecard_lines():
    score = score_draft(WEAK, WEAK_ANSWERS)
    lines = format_scorecard(score).splitlines()
    assert len(lines) == 11
    assert lines[-1] == f"Overall: {score.total}/20 ({score.percent}%)"
    for line, c in zip(lines, score.criteria, strict=False):
        mark = {2: "✓", 1: "~", 0: "✗"}[c.score]
        assert line.startswith(f"{mark} {c.name}") and f"  {c.score}/2  {c.reason}" in line
    strong = format_scorecard(score_draft(STRONG)).splitlines()
    assert strong[-1].startswith("Overall: ") and strong[-1].endswith("%)")
    assert sum(line.startswith("✓") for line in strong) >= 9


def test_scorecard_shows_a_failed_gate():
    text = format_scorecard(score_draft(STRONG, pii_found=True))
    assert text.splitlines()[0].startswith("Gate failed")
    assert text.endswith("(0%)")


# -- what a part says, not where it was filed ------------------------------------------------


def _shifted(step: int) -> dict[str, str]:
    """Every answer filed one question off, as a form-filling coach did with users ahead of it."""
    from bot.coaching.questions import QUESTION_KEYS

    keys = list(QUESTION_KEYS)
    return {key: GOOD_ANSWERS[keys[(i + step) % len(keys)]] for i, key in enumerate(keys)}


def test_a_benefit_given_as_the_cause_does_not_score_as_a_cause():
    answers = {
        **GOOD_ANSWERS,
        "cause.root": "Patients: fewer crises and admissions, more days at home.",
    }
    score = score_draft(compose_draft("HF", [], answers), answers)
    cause = next(c for c in score.criteria if c.id == "cause")
    assert cause.score == 0 and "value for patients" in cause.reason
    assert has_major_problem(cause), "a model may not talk a benefit into a cause"
    assert "edit value" in cause.suggestion


def test_a_measure_given_as_the_scope_does_not_score_as_scope():
    answers = {**GOOD_ANSWERS, "outcome.scope": GOOD_ANSWERS["outcome.measures"]}
    score = score_draft(compose_draft("AF", [], answers), answers)
    scoped = next(c for c in score.criteria if c.id == "scoped")
    assert scoped.score < 2 and "outcome measure" in scoped.reason


@pytest.mark.parametrize("step", [1, -1])
def test_a_draft_assembled_from_misfiled_answers_scores_below_half(step):
    answers = _shifted(step)
    assert score_draft(compose_draft("AF", [], answers), answers).percent < 50


def test_well_filed_answers_are_not_penalised_for_their_place():
    score = score_draft(compose_draft("AF", [], GOOD_ANSWERS), GOOD_ANSWERS)
    assert score.percent == 100, [(c.id, c.reason) for c in score.criteria if c.score < 2]
