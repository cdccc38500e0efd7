"""Unit tests for the eval tool: case schema, simulated user, cache keys, cost and the meter."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import openai
import pytest

from bot.coaching.reply import Reply
from bot.evals.cache import CachedReply, CallCache, cache_key
from bot.evals.cases import (
    BEHAVIOURS,
    PARTNER_TYPES,
    Case,
    CaseError,
    Price,
    Prices,
    load_cases,
    load_prices,
    load_suite,
    parse_case,
)
from bot.evals.metering import BudgetExceeded, DryRunStop, Ledger, Meter, case_ledger
from bot.evals.simulator import RuleBasedUser, View, nhs_number, non_native, terse
from bot.llm.client import ModelCall, call_params, make_chat
from bot.llm.exchange import Usage
from bot.privacy import is_valid_nhs_number, redact_identifiers
from tests.store_writes import add_message, add_version, save_state

# -- cases -------------------------------------------------------------------------------------


def test_shipped_cases_cover_every_partner_type_strength_and_behaviour():
    cases = load_cases()
    assert len(cases) >= 30
    assert {c.partner_type for c in cases} == set(PARTNER_TYPES)
    for partner in PARTNER_TYPES:
        assert {c.strength for c in cases if c.partner_type == partner} == {"strong", "weak"}, (
            partner
        )
    behaviours = Counter(b for c in cases for b in c.behaviours)
    assert all(behaviours[b] >= 2 for b in BEHAVIOURS), behaviours
    load_suite()
    load_prices()


def _write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """id: ok-case
title: A case
partner_type: digital
strength: weak
facts:
  who: Adults on one ward
"""


def test_a_bad_case_names_its_file_and_field(tmp_path):
    path = _write(tmp_path, GOOD.replace("digital", "bank"))
    with pytest.raises(CaseError) as error:
        parse_case(path)
    assert str(path) in str(error.value) and "field partner_type" in str(error.value)

    path = _write(tmp_path, GOOD + "expect:\n  rubric_min: 150\n", "range.yaml")
    with pytest.raises(CaseError, match=r"range\.yaml: field expect\.rubric_min"):
        parse_case(path)

    path = _write(tmp_path, GOOD.replace("  who:", "  whom:"), "fact.yaml")
    with pytest.raises(CaseError, match=r"fact\.yaml: field facts\.whom"):
        parse_case(path)

    path = _write(tmp_path, GOOD + "behaviours: [solution_first]\n", "behaviour.yaml")
    with pytest.raises(CaseError, match="needs a 'solution'"):
        parse_case(path)

    path = _write(tmp_path, GOOD + "expect:\n  criteria_min: {cost: 2}\n", "crit.yaml")
    with pytest.raises(CaseError, match="unknown rubric criterion 'cost'"):
        parse_case(path)


def test_duplicate_ids_and_filters(tmp_path):
    _write(tmp_path, GOOD, "a.yaml")
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub", GOOD.replace("ok-case", "other"), "b.yaml")
    assert [c.id for c in load_cases("sub/*", root=tmp_path)] == ["other"]
    assert [c.id for c in load_cases(tags=["digital", "weak"], root=tmp_path)] == [
        "ok-case",
        "other",
    ]
    assert load_cases(tags=["strong"], root=tmp_path) == []
    _write(tmp_path, GOOD, "c.yaml")
    with pytest.raises(CaseError, match="already used"):
        load_cases(root=tmp_path)


# -- simulated user ------------------------------------------------------------------------------


def _case(**changes) -> Case:
    data = {
        "id": "sim",
        "title": "Sim",
        "partner_type": "pharmaceutical",
        "strength": "strong",
        "facts": {
            "partners": "A trust and a company",
            "who": "Adults with asthma in 9 practices",
            "now": "Only 40% have a review, against 80% expected.",
            "evidence": "Practice data, 2024: 40% of 900 reviewed.",
            "value_nhs": "Fewer admissions.",
            "value_patients": "Fewer attacks.",
        },
    }
    data.update(changes)
    return Case.model_validate(data)


def _asking(key: str | None, question: str = "Whatever the wording is today?") -> View:
    reply = Reply("d1", "question", "", question=question if key else None)
    return View(reply=reply, asked_key=key, in_review=key is None, final=False)


def test_the_user_answers_by_question_key_not_by_wording():
    user = RuleBasedUser(_case(), seed=1)
    move = user.next_move(_asking("evidence", "Completely reworded: any numbers to back this up?"))
    assert move.text == "Practice data, 2024: 40% of 900 reviewed."
    assert move.facts == ["evidence"]
    # a question the card has no fact for: the person does not know
    assert "don't know" in user.next_move(_asking("cause.root")).text
    # a new question in a known stage takes that stage's next unused fact
    move = user.next_move(_asking("value.new_question"))
    assert move.facts == ["value_patients"]


def test_the_user_copes_with_skipped_and_repeated_questions():
    user = RuleBasedUser(_case(), seed=1)
    first = user.next_move(_asking("value.nhs"))  # the coach jumped ahead
    assert first.text == "Fewer admissions."
    again = user.next_move(_asking("value.nhs"))  # asked again
    assert again.intent == "answer_again" and again.text == "Fewer admissions."
    assert user.next_move(_asking("value.nhs")).text == "skip"


def test_same_seed_same_conversation_other_seed_other_schedule():
    card = _case(behaviours=["asks_side_questions", "off_topic", "prompt_injection"])
    keys = ["context.partners", "affected.who", "affected.now", "evidence"] * 3

    def script(seed: int) -> list[str]:
        user = RuleBasedUser(card, seed=seed)
        return [user.next_move(_asking(k)).intent for k in keys]

    assert script(3) == script(3)
    assert any(script(3) != script(s) for s in range(4, 9))
    assert {"side_question", "off_topic", "prompt_injection"} <= set(script(3))


def test_solution_first_then_the_real_problem_when_challenged():
    user = RuleBasedUser(_case(behaviours=["solution_first"], solution="a reminder app"), 2)
    first = user.next_move(_asking("affected.now"))
    assert first.intent == "solution_first" and "reminder app" in first.text
    second = user.next_move(_asking("affected.now"))  # the coach challenged: asked again
    assert second.text == "Only 40% have a review, against 80% expected."


def test_unchallenged_solution_is_repaired_in_review_then_accept():
    user = RuleBasedUser(_case(behaviours=["solution_first"], solution="a reminder app"), 2)
    user.next_move(_asking("affected.now"))
    edit = user.next_move(_asking(None))
    assert edit.text == "edit affected.now"
    assert user.next_move(_asking("affected.now")).text.startswith("Only 40%")
    assert user.next_move(_asking(None)).text == "accept"


@pytest.mark.slow  # the pasted text names a patient: the guard's name model reads it
def test_patient_data_is_a_valid_nhs_number_and_a_postcode():
    user = RuleBasedUser(_case(behaviours=["pastes_patient_data"]), seed=5)
    move = user.next_move(_asking("evidence"))
    assert move.intent == "pastes_patient_data"
    number, _postcode, _name = user.injected_values
    assert is_valid_nhs_number(number.replace(" ", ""))
    kinds = {f.kind for f in redact_identifiers(move.text).redacted}
    assert {"nhs_number", "postcode"} <= kinds
    assert all(
        is_valid_nhs_number(nhs_number(__import__("random").Random(i)).replace(" ", ""))
        for i in range(50)
    )


def test_changes_mind_and_out_of_order_and_wording_behaviours():
    card = _case(
        behaviours=["changes_mind", "answers_out_of_order"],
        revisions={"evidence": "Practice data, 2025: 45% of 910 reviewed."},
    )
    user = RuleBasedUser(card, seed=1)
    intents = [
        user.next_move(_asking(k)).intent
        for k in ("context.partners", "affected.who", "affected.now")
    ]
    assert intents[-1] == "answers_out_of_order"  # two facts in one message from turn 3
    assert user.next_move(_asking(None)).text == "edit evidence"
    revised = user.next_move(_asking("evidence"))
    assert revised.intent == "changes_mind" and "45%" in revised.text
    assert terse("Adults with asthma in 9 practices, mostly older, because reviews lapse") == (
        "Adults with asthma in 9 practices"
    )
    assert "40%" in non_native("Only 40% have a review, against the 80% expected.")


def test_nothing_left_after_accepting_twice():
    user = RuleBasedUser(_case(), seed=1)
    assert user.next_move(_asking(None)).text == "accept"
    assert user.next_move(_asking(None)).text == "accept"
    assert user.next_move(_asking(None)) is None


# -- cache keys, cost and the meter -----------------------------------------------------------


def _call(**changes) -> ModelCall:
    values = {
        "model": "m",
        "kind": "text",
        "messages": (("system", "Be brief."), ("human", "Hello")),
        "params": {"temperature": 0.2},
    }
    values.update(changes)
    return ModelCall(**values)


def test_cache_keys_change_with_model_prompt_version_params_and_messages():
    base = cache_key(_call(), {"feedback": "feedback@1"})
    assert base == cache_key(_call(), {"feedback": "feedback@1"})
    assert base != cache_key(_call(model="other"), {"feedback": "feedback@1"})
    assert base != cache_key(_call(), {"feedback": "feedback@2"})
    assert base != cache_key(_call(params={"temperature": 0.7}), {"feedback": "feedback@1"})
    assert base != cache_key(_call(messages=(("human", "Hello"),)), {"feedback": "feedback@1"})
    assert base != cache_key(_call(kind="DraftOutput"), {"feedback": "feedback@1"})


def test_cache_persists_on_disk(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    cache.put("k", _call(), CachedReply("hi", 10, 2))
    cache.close()
    again = CallCache(tmp_path / "c.sqlite")
    assert again.get("k") == CachedReply("hi", 10, 2) and again.get("nope") is None
    assert len(again) == 1


PRICES = Prices(
    default=Price(input_per_million=0, output_per_million=0),
    models={"m": Price(input_per_million=2.0, output_per_million=8.0)},
    typical_output_tokens={"text": 100},
)


def test_cost_maths():
    assert PRICES.cost("m", 1_000_000, 0) == pytest.approx(2.0)
    assert PRICES.cost("m", 500, 250) == pytest.approx((500 * 2 + 250 * 8) / 1e6)
    assert PRICES.cost("local", 10**6, 10**6) == 0


def test_meter_caches_counts_and_prices_calls(tmp_path):
    meter = Meter(PRICES, cache=CallCache(tmp_path / "c.sqlite"), prompt_versions={"f": "f@1"})
    runs: list[int] = []

    def run():
        runs.append(1)
        return "Hello there", Usage(1000, 50)

    ledger = Ledger()
    with case_ledger(ledger):
        first = meter.around(_call(), run)
        second = meter.around(_call(), run)
    assert first == ("Hello there", Usage(1000, 50), False)
    assert second == ("Hello there", Usage(1000, 50), True)
    assert runs == [1]
    totals = ledger.totals()
    assert totals["calls"] == 1 and totals["cache_hits"] == 1
    assert totals["cost_gbp"] == pytest.approx((1000 * 2 + 50 * 8) / 1e6)


def test_meter_counts_tokens_itself_when_the_server_reports_none():
    meter = Meter(PRICES)
    ledger = Ledger()
    with case_ledger(ledger):
        meter.around(_call(), lambda: ("four words right here", Usage()))
    record = ledger.calls[0]
    assert record.usage_from == "tokenizer" and record.prompt_tokens > 0
    assert record.completion_tokens == 4


def test_dry_run_counts_and_spends_nothing():
    meter = Meter(PRICES, dry_run=True)
    ledger = Ledger()
    with case_ledger(ledger), pytest.raises(DryRunStop):
        meter.around(_call(), lambda: pytest.fail("a dry run must not call the model"))
    assert ledger.calls[0].estimated and ledger.calls[0].completion_tokens == 100
    assert ledger.totals()["calls"] == 0 and ledger.totals()["cost_gbp"] > 0


def test_max_cost_stops_before_going_over():
    meter = Meter(PRICES, max_cost_gbp=0.001)
    ledger = Ledger()
    with case_ledger(ledger):
        meter.around(_call(), lambda: ("ok", Usage(100, 10)))  # about £0.0003
        with pytest.raises(BudgetExceeded):
            meter.around(_call(model="m", kind="x"), lambda: pytest.fail("over budget"))
    assert meter.committed_gbp <= 0.001


def test_random_draft_ids_do_not_break_the_cache(tmp_path):
    meter = Meter(PRICES, cache=CallCache(tmp_path / "c.sqlite"))
    for draft_id in ("abc234", "xyz789"):
        ledger = Ledger(volatile=[draft_id])
        with case_ledger(ledger):
            call = _call(messages=(("human", f"New draft ({draft_id}). Hello"),))
            meter.around(call, lambda: ("hi", Usage(5, 1)))
    assert meter.misses == 1 and meter.hits == 1


def test_a_replayed_reply_names_this_runs_random_values(tmp_path):
    """A canary and a draft id differ every run: keyed and replayed as placeholders."""
    meter = Meter(PRICES, cache=CallCache(tmp_path / "c.sqlite"))
    replies = []
    for draft_id, canary in (("abc234", "canary-1a2b3c4d"), ("xyz789", "canary-9f8e7d6c")):
        ledger = Ledger(volatile=[canary, draft_id])
        with case_ledger(ledger):
            call = _call(messages=(("human", f"Draft {draft_id}: Acme ({canary}-partners)"),))
            said = f"Acme ({canary}-partners) noted for {draft_id}"
            text, _usage, _served = meter.around(call, lambda said=said: (said, Usage(5, 1)))
        replies.append(text)
    assert meter.misses == 1 and meter.hits == 1
    assert replies[1] == "Acme (canary-9f8e7d6c-partners) noted for xyz789"


def test_a_changed_reply_cap_misses_the_cache(make_settings):
    """A reply cut at 48 tokens is not the reply at 1024: the cap the server gets is in the key."""

    def chat(cap: int, base_url: str = "http://127.0.0.1:9/v1"):
        return make_chat(make_settings(openai_base_url=base_url, coach_llm_max_tokens=cap))

    assert call_params(chat(48)) == {"temperature": 0.2, "max_tokens": 48}
    assert call_params(chat(48, base_url="")) == call_params(chat(48))  # OpenAI's own field
    key = cache_key(_call(params=call_params(chat(48))))
    assert key == cache_key(_call(params=call_params(chat(48))))
    assert key != cache_key(_call(params=call_params(chat(1024))))


def test_unusable_replies_are_cached_but_transient_failures_are_not(tmp_path):
    from bot.errors import ModelUnavailable

    meter = Meter(PRICES, cache=CallCache(tmp_path / "c.sqlite"))
    calls: list[str] = []

    def malformed():
        calls.append("malformed")
        raise ModelUnavailable("the model returned malformed JSON for a structured reply")

    for _ in range(2):
        with pytest.raises(ModelUnavailable, match="malformed JSON"):
            meter.around(_call(kind="DraftOutput"), malformed)
    assert calls == ["malformed"]

    def unreachable():
        calls.append("unreachable")
        try:
            raise openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1"))
        except openai.APIConnectionError as error:
            raise ModelUnavailable("the model server cannot be reached") from error

    for _ in range(2):
        with pytest.raises(ModelUnavailable):
            meter.around(_call(kind="RubricOutput"), unreachable)
    assert calls.count("unreachable") == 2


# -- harvest and the CLI -------------------------------------------------------------------------


def test_harvest_turns_thumbs_down_into_a_clean_case(tmp_path):
    from datetime import UTC, datetime, timedelta

    from bot.drafts.content import DraftContent, RubricScore
    from bot.drafts.records import Actor
    from bot.drafts.repository import DraftStore
    from bot.evals.harvest import harvest

    store = DraftStore(f"sqlite:///{tmp_path / 'coach.db'}")
    actor = Actor("T1", "U1")
    liked = store.create_draft(actor, "Liked draft", partners=["A trust"])
    disliked = store.create_draft(actor, "Asthma reviews", partner_type="pharmaceutical")
    answers = {
        "affected.who": "Adults with asthma in 9 practices",
        "evidence": "Practice data 2024: 40% reviewed, e.g. NHS number 943 476 5919 missed",
    }
    lock = disliked.lock_version
    save_state(store, actor, disliked.id, expected_lock_version=lock, answers=answers)
    add_message(store, actor, disliked.id, "user", "This draft misses the point entirely")
    rubric = RubricScore(criteria=[])
    for draft, vote in ((liked, 1), (disliked, -1)):
        version = add_version(
            store,
            actor,
            draft.id,
            DraftContent(title=draft.title, problem_statement="x", how_might_we="y"),
            rubric,
            coach_mode="guided",
        )
        store.record_feedback(actor, version.id, vote)

    assert store.disliked_drafts(since=datetime.now(UTC) + timedelta(days=1)) == []
    written = harvest(store.disliked_drafts(), out_dir=tmp_path / "harvested")
    assert [w.draft_id for w in written] == [disliked.id]
    text = written[0].path.read_text(encoding="utf-8")
    assert "943 476 5919" not in text and "9434765919" not in text
    assert "misses the point" in text
    case = parse_case(written[0].path)
    assert case.partner_type == "pharmaceutical" and case.facts["who"].startswith("Adults")
    assert "harvested" in case.tags and case.expect.no_patient_data_anywhere
    store.close()


@pytest.mark.slow  # `coach eval run` imports the runner (and Chroma) before it reads the pin
def test_eval_commands_are_registered_and_bad_pins_fail_fast():
    from typer.testing import CliRunner

    from bot.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["eval", "--help"])
    assert result.exit_code == 0 and "compare" in result.output and "harvest" in result.output
    result = runner.invoke(app, ["eval", "run", "--prompts", "feedback@99"])
    assert result.exit_code == 2 and "no version 99" in result.output


def test_gate_semantics():
    from bot.evals.results import CaseResult, RunResult

    def case(status: str) -> CaseResult:
        return CaseResult(
            id=status + str(id(object())),
            title="t",
            source="s",
            tags=[],
            partner_type="digital",
            strength="weak",
            behaviours=[],
            status=status,
            stop_reason="accepted",
        )

    run = RunResult(run_id="r", started_at="now", coach_mode="guided", pass_threshold=0.75)
    run.cases = [case("passed")] * 3 + [case("failed"), case("skipped")]
    assert run.pass_rate == 0.75 and run.gate_passed  # skipped cases are not counted
    run.cases.append(case("error"))
    assert not run.gate_passed
    assert not RunResult(run_id="e", started_at="now", coach_mode="g", pass_threshold=0).gate_passed


# -- where the evals folder is -------------------------------------------------------------------


@pytest.mark.parametrize("command", [["list"], ["run", "--dry-run"], ["harvest"], ["open", "x"]])
def test_without_an_evals_folder_coach_eval_says_so_in_one_line(tmp_path, monkeypatch, command):
    """After `pip install .` the package's neighbour folder is site-packages, with no evals/ in
    it: every command says so and how to point at one, instead of failing on a missing file."""
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COACH_EVALS_DIR", raising=False)
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    installed = tmp_path / "site-packages" / "evals"
    monkeypatch.setattr("bot.evals.cases.EVALS_DIR", installed)
    result = CliRunner().invoke(app, ["eval", *command])
    assert result.exit_code == 2, result.output
    message = "".join(result.output.split())  # rich wraps a long path anywhere
    assert f"noevalsfolderat{installed}" in message and "Traceback" not in message
    assert "--evals-dir" in message and "COACH_EVALS_DIR" in message
    assert not installed.exists()  # nothing written where the package lives


def _coach_eval(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`coach eval ...` in a fresh process, as a maintainer runs it, from a folder outside the
    checkout: the eval modules fix their folders when imported, which a test process has done."""
    from tests.conftest import coach_env

    return subprocess.run(
        [sys.executable, "-m", "bot", "eval", *args],
        env=coach_env(home, COLUMNS="400"),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_evals_dir_option_and_setting_point_coach_eval_at_another_folder(tmp_path):
    evals = tmp_path / "my-evals"
    evals.mkdir()
    (evals / "suite.yaml").write_text("pass_threshold: 0.9\n", encoding="utf-8")

    done = _coach_eval(tmp_path, "open", "latest", "--evals-dir", "my-evals")
    assert done.returncode == 2 and f"no runs in {evals / 'reports'}" in done.stderr, done.stderr

    (tmp_path / ".env").write_text(f"COACH_EVALS_DIR={evals}\n", encoding="utf-8")
    done = _coach_eval(tmp_path, "open", "latest")
    assert done.returncode == 2 and f"no runs in {evals / 'reports'}" in done.stderr, done.stderr

    done = _coach_eval(tmp_path, "open", "latest", "--evals-dir", str(tmp_path))  # no suite.yaml
    assert done.returncode == 2 and f"no evals folder at {tmp_path}" in done.stderr
