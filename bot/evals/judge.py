"""Judged expectations: a judge model scores a draft or transcript against a written rubric.

The judge goes through the same structured-output path as the coach (`StructuredCaller`), so it
works on any OpenAI-compatible server. Output that will not parse is an error, counted and shown
in the report, never a silent zero; `--repeat N` asks N times and reports the mean and spread.
"""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from bot.errors import ModelUnavailable
from bot.evals.cases import EVALS_DIR, JudgedCriterion
from bot.evals.metering import DryRunStop, acting_as
from bot.evals.results import CheckResult
from bot.llm.client import StructuredCaller, fit
from bot.prompts import Prompt, load_prompt

JUDGE_PROMPTS = EVALS_DIR / "prompts"
MATERIAL_BUDGET_TOKENS = 2500


class Verdict(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str


def judge_prompt(version: int | None = None) -> Prompt:
    return load_prompt("judge", version, JUDGE_PROMPTS)


def not_run(criterion: JudgedCriterion, why: str) -> CheckResult:
    return CheckResult(name=f"judged:{criterion.id}", kind="judged", status="not_run", reason=why)


class Judge:
    """Scores criteria with one judge model; safe to share between case threads."""

    def __init__(self, chat: ChatOpenAI, prompt: Prompt, timeout: float | None = None) -> None:
        self.chat = chat
        self.prompt = prompt
        self.caller = StructuredCaller(chat, timeout)

    @property
    def model(self) -> str:
        return str(self.chat.model_name)

    def score(self, criterion: JudgedCriterion, material: str, repeat: int = 1) -> CheckResult:
        kind = "draft" if criterion.on == "draft" else "conversation transcript"
        system, user = self.prompt.render(
            criterion=criterion.id.replace("_", " "),
            rubric=criterion.rubric,
            material_kind=kind,
            material=fit(material, MATERIAL_BUDGET_TOKENS),
        )
        messages = [SystemMessage(system), HumanMessage(user)]
        scores: list[float] = []
        errors: list[str] = []
        reasons: list[str] = []
        for attempt in range(repeat):
            try:
                with acting_as("judge", salt=f"repeat-{attempt}"):
                    verdict, _usage = self.caller.call(Verdict, messages)
            except DryRunStop:
                return not_run(criterion, "dry run: the judge call was counted, not made")
            except ModelUnavailable as error:
                errors.append(str(error))
                continue
            scores.append(float(verdict.score))
            reasons.append(verdict.reason)
        result = CheckResult(
            name=f"judged:{criterion.id}",
            kind="judged",
            status="error",
            scores=scores,
            errors=errors,
        )
        if not scores:
            result.reason = f"judge output unusable in all {repeat} attempts: {errors[0]}"
            return result
        mean = result.mean or 0.0
        result.status = "passed" if mean >= criterion.pass_at else "failed"
        spread = f" ± {result.spread}" if result.spread is not None else ""
        unusable = f"; {len(errors)} unparseable" if errors else ""
        result.reason = f"{mean}{spread} of 5 (pass at {criterion.pass_at}){unusable}: {reasons[0]}"
        return result
