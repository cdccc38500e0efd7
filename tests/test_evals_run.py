"""The eval tool end to end: the real engine, real knowledge search, fake model servers on loopback.

The guided suite runs every shipped case; LLM-mode runs use the fake OpenAI-compatible server with
a model that follows its prompt mechanically, so a prompt version that drops the citation
instruction really produces uncited answers and shows up as a regression.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from benchmarks.support.openai_server import FakeOpenAI
from bot.evals.cases import Price, Prices
from bot.evals.compare import compare_runs, render_compare_html
from bot.evals.report import render_html, write_report
from bot.evals.results import load_run
from bot.evals.runner import RunOptions, run_suite
from bot.settings import load_settings
from tests.fakes.eval_model import EvalModel

# Evals run end to end over the real index, built with the real embedding model.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def assert_offline_html(html: str) -> None:
    """Opens with no network: no scripts, stylesheets, fonts or images from anywhere."""
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    lowered = html.lower()
    for banned in ("<script", "<link", "@import", "@font-face", "<img", "<iframe"):
        assert banned not in lowered, banned


def test_full_suite_runs_in_guided_mode(knowledge_settings, knowledge_search, tmp_path):
    run = run_suite(
        knowledge_settings,
        RunOptions(reports_dir=tmp_path, concurrency=2),
        search=knowledge_search,
    )
    assert run.coach_mode == "guided" and len(run.cases) >= 30
    assert any("judged expectations are reported as not run" in n for n in run.notes)
    for case in run.cases:
        assert case.status in ("passed", "failed"), (case.id, case.error)
        assert case.turns and case.stop_reason in ("accepted", "nothing_left", "max_turns", "stuck")
        for check in case.checks:
            if check.kind == "judged":
                assert check.status == "not_run"  # never passed without a judge
        if "pastes_patient_data" in case.behaviours:
            privacy = next(c for c in case.checks if c.name == "no_patient_data_anywhere")
            assert privacy.status == "passed", (case.id, privacy.reason)
            assert "pasted" in privacy.reason
    assert run.totals["calls"] == 0 and run.totals["cost_gbp"] == 0
    html_path = write_report(run, tmp_path / run.run_id)
    html = html_path.read_text(encoding="utf-8")
    assert_offline_html(html)
    assert html.count("<svg") >= 5 and html.count("<details") >= 2 * len(run.cases)
    again = load_run(str(tmp_path / run.run_id))
    assert again.pass_rate == run.pass_rate and (tmp_path / run.run_id / "summary.md").exists()
    assert again.settings["OPENAI_API_KEY"] == ""


# -- LLM mode on the fake server ---------------------------------------------------------------


@pytest.fixture
def two_cases(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("pharma-af-strong", "charity-carers-solution-first"):
        shutil.copy(ROOT / "evals" / "cases" / f"{name}.yaml", folder)
    return folder


@pytest.fixture
def fake_model():
    with FakeOpenAI(model="fake-coach") as server:
        server.set_default(EvalModel())
        yield server


def llm_settings(knowledge_settings, server: FakeOpenAI):
    return load_settings(
        coach_data_dir=knowledge_settings.coach_data_dir,
        coach_knowledge_dir=knowledge_settings.coach_knowledge_dir,
        openai_base_url=server.url,
        openai_api_key="sk-test-secret",
        coach_model="fake-coach",
        # generous: on a loaded CI machine a call that times out falls back uncached, and the
        # re-run then calls the model again; these tests are about caching, not timeouts
        coach_llm_timeout=60,
    )


def run_llm(settings, search, cases_dir, reports, **options):
    return run_suite(
        settings,
        RunOptions(reports_dir=reports, cases_dir=cases_dir, concurrency=1, **options),
        search=search,
    )


def test_llm_run_judges_caches_and_masks_secrets(
    knowledge_settings, knowledge_search, fake_model, two_cases, tmp_path
):
    settings = llm_settings(knowledge_settings, fake_model)
    first = run_llm(settings, knowledge_search, two_cases, tmp_path)
    assert first.coach_mode == "llm" and first.model == "fake-coach"
    assert first.totals["calls"] > 0 and first.totals["prompt_tokens"] > 0
    judged = [c for case in first.cases for c in case.checks if c.kind == "judged"]
    assert judged and all(c.status == "passed" and c.scores == [4.0] for c in judged)
    assert any(t.streamed_pieces for case in first.cases for t in case.turns)
    assert "sk-test-secret" not in first.model_dump_json()
    requests = len(fake_model.chat_requests())
    # the reply cap reaches the server as max_tokens, which llama.cpp's servers honour
    assert {r.get("max_tokens") for r in fake_model.chat_requests()} == {1024}

    second = run_llm(settings, knowledge_search, two_cases, tmp_path)
    assert second.totals["calls"] == 0
    assert second.totals["cache_hits"] == first.totals["calls"]
    assert len(fake_model.chat_requests()) == requests  # not one more request
    assert [c.status for c in second.cases] == [c.status for c in first.cases]

    # a changed reply cap is a different request: every call misses and goes to the server
    capped = run_llm(settings, knowledge_search, two_cases, tmp_path, max_output_tokens=512)
    assert capped.totals["cache_hits"] == 0 and capped.totals["calls"] > 0
    assert {r.get("max_tokens") for r in fake_model.chat_requests()[requests:]} == {512}


def test_a_rerun_with_a_planted_canary_makes_no_model_call(
    knowledge_settings, knowledge_search, fake_model, tmp_path
):
    """Each prompt-injection case plants another user's draft with a random canary, whose turns
    reach the model: until the canary was a cache placeholder, every re-run missed on them."""
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(ROOT / "evals" / "cases" / "charity-cancer-injection.yaml", folder)
    settings = llm_settings(knowledge_settings, fake_model)
    first = run_llm(settings, knowledge_search, folder, tmp_path)
    assert first.totals["calls"] > 0
    assert any("canary-" in json.dumps(r) for r in fake_model.chat_requests())
    requests = len(fake_model.chat_requests())

    second = run_llm(settings, knowledge_search, folder, tmp_path)
    missed = [str(r.get("messages", ""))[-300:] for r in fake_model.chat_requests()[requests:]]
    assert second.totals["calls"] == 0, missed
    assert second.totals["cache_hits"] == first.totals["calls"] + first.totals["cache_hits"]
    assert len(fake_model.chat_requests()) == requests
    for run in (first, second):
        leak = next(c for c in run.cases[0].checks if c.name == "no_leaks")
        assert leak.status == "passed", leak.reason


def test_repeat_reports_mean_and_spread_and_bad_judge_output_is_an_error(
    knowledge_settings, knowledge_search, two_cases, tmp_path
):
    with FakeOpenAI(model="fake-coach") as server:
        server.set_default(EvalModel(judge_scores=[5, 3, "I think it is quite good!"]))
        settings = llm_settings(knowledge_settings, server)
        run = run_llm(
            settings, knowledge_search, two_cases, tmp_path, cases="pharma-af-strong", repeat=3
        )
    assert run.cases[0].status in ("passed", "failed"), run.cases[0].error
    check = next(c for c in run.cases[0].checks if c.kind == "judged")
    assert sorted(check.scores) == [3.0, 5.0] and check.mean == 4.0 and check.spread == 1.0
    assert len(check.errors) == 1 and "unparseable" in check.reason
    assert run.totals["judge_errors"] == 1

    with FakeOpenAI(model="fake-coach") as server:
        server.set_default(EvalModel(judge_scores=["no json here"]))
        settings = llm_settings(knowledge_settings, server)
        run = run_llm(
            settings, knowledge_search, two_cases, tmp_path, cases="pharma-af-strong", no_cache=True
        )
    check = next(c for c in run.cases[0].checks if c.kind == "judged")
    assert check.status == "error" and check.scores == [] and run.cases[0].status == "failed"
    assert "unusable" in check.reason
    assert "unparseable judge replies" in render_html(run)


def test_a_prompt_that_drops_citations_cannot_make_side_answers_uncited(
    knowledge_settings, knowledge_search, fake_model, two_cases, tmp_path, monkeypatch
):
    """Side answers must cite their sentences by number (issue 22): a prompt version that stops
    asking for citations gets uncited model answers, which the coach refuses, so the guided
    answer (cited) is shown with a notice, the eval still finds every side answer cited, and
    the comparison shows no lost citations but the fallback in each side-question turn."""
    settings = llm_settings(knowledge_settings, fake_model)
    baseline = run_llm(settings, knowledge_search, two_cases, tmp_path, cases="pharma-af-strong")
    cites = next(c for c in baseline.cases[0].checks if c.name == "cites_sources")
    assert cites.status == "passed", cites.reason

    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    v1 = yaml.safe_load((prompts / "side_answer" / "v1.yaml").read_text(encoding="utf-8"))
    v1["system"] = re.sub(r",? ?citing them as \[1\], \[2\]", "", v1["system"])
    assert "cit" not in v1["system"].lower()
    (prompts / "side_answer" / "v9.yaml").write_text(yaml.safe_dump(v1), encoding="utf-8")
    monkeypatch.setattr("bot.prompts.PROMPTS_DIR", prompts)
    candidate = run_llm(
        settings,
        knowledge_search,
        two_cases,
        tmp_path,
        cases="pharma-af-strong",
        prompts={"side_answer": 9},
    )
    assert candidate.prompt_versions["side_answer"] == "side_answer@9"
    cited = next(c for c in candidate.cases[0].checks if c.name == "cites_sources")
    assert cited.status == "passed", cited.reason
    asked = [t for t in candidate.cases[0].turns if t.intent == "side_question"]
    assert asked and all(any("guided coach answered" in n for n in t.notices) for t in asked), (
        "each uncited model answer was replaced, and the user told"
    )
    cmp = compare_runs(baseline, candidate)
    assert all("cites_sources" not in r.checks_lost for r in cmp.regressions)
    assert_offline_html(render_compare_html(cmp))


def test_a_case_that_stops_passing_shows_as_a_regression(
    knowledge_settings, knowledge_search, two_cases, tmp_path
):
    """The comparison report's reason to exist: a case that passed in run A and fails in run B
    is listed first as a regression, in red, naming the checks it lost. Here B's judge scores
    every judged expectation 1 of 5 (as it would a prompt that got worse), so the same case
    really fails in B rather than being edited into failing."""
    runs = []
    for scores in ([4], [1]):
        with FakeOpenAI(model="fake-coach") as server:
            server.set_default(EvalModel(judge_scores=scores))
            settings = llm_settings(knowledge_settings, server)
            # uncached: the same requests would otherwise get A's verdicts back from the cache
            options = {"cases": "pharma-af-strong", "no_cache": True}
            runs.append(run_llm(settings, knowledge_search, two_cases, tmp_path, **options))
    baseline, candidate = runs
    assert baseline.cases[0].status == "passed", [
        (c.name, c.reason) for c in baseline.cases[0].checks if c.status != "passed"
    ]
    assert candidate.cases[0].status == "failed"
    judged = {c.name for c in candidate.cases[0].checks if c.kind == "judged"}

    cmp = compare_runs(baseline, candidate)
    assert [d.id for d in cmp.regressions] == ["pharma-af-strong"]
    assert judged and judged <= set(cmp.regressions[0].checks_lost)
    html = render_compare_html(cmp)
    assert_offline_html(html)
    assert '<td class="failed"><b>regression</b>' in html and html.count("<svg") >= 2
    assert "1 regressions" in html and "lost: " in html
    for name in judged:
        assert name in html


def test_dry_run_and_max_cost_spend_nothing_beyond_the_limit(
    knowledge_settings, knowledge_search, fake_model, two_cases, tmp_path
):
    settings = llm_settings(knowledge_settings, fake_model)
    estimate = run_llm(settings, knowledge_search, two_cases, tmp_path, dry_run=True)
    assert fake_model.chat_requests() == []
    assert estimate.totals["estimated_calls"] > 0 and estimate.totals["calls"] == 0

    prices = Prices(
        default=Price(input_per_million=0, output_per_million=0),
        models={"fake-coach": Price(input_per_million=100, output_per_million=100)},
    )
    capped = run_llm(
        settings,
        knowledge_search,
        two_cases,
        tmp_path,
        prices=prices,
        max_cost_gbp=0.5,
        no_cache=True,
    )
    spent = capped.totals["cost_gbp"]
    assert 0 < spent <= 0.5
    assert any(c.status == "skipped" and c.stop_reason == "budget" for c in capped.cases)
    assert any("--max-cost" in note for note in capped.notes)


def test_a_model_can_play_the_user_in_its_own_words(
    knowledge_settings, knowledge_search, fake_model, two_cases, tmp_path
):
    settings = llm_settings(knowledge_settings, fake_model)
    run = run_llm(
        settings,
        knowledge_search,
        two_cases,
        tmp_path,
        cases="charity-carers-solution-first",
        user_model="fake-coach",
    )
    case = run.cases[0]
    assert run.user_model == "fake-coach" and case.status in ("passed", "failed"), case.error
    user_calls = [c for c in case.calls if c["role"] == "user"]
    assert user_calls and all(c["kind"] == "text" for c in user_calls)
    facts = set(yaml.safe_load((two_cases / f"{case.id}.yaml").read_text())["facts"].values())
    reworded = [t for t in case.turns if t.intent == "answer" and t.user not in facts]
    assert reworded  # answers in the model's words, not the card's
    assert any(t.user in ("accept", "skip") for t in case.turns)  # decisions stay rule-based
