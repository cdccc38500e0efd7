"""The LLM coach: a model writes feedback, side answers and drafts; rules still guard the score.

Every call fits a per-turn token budget (passages and history trimmed with the project's offline
tokenizer), cites the knowledge passages it was given, and records which prompt versions it used.
Structured replies (drafts, rubric scores) go through `StructuredCaller`, which finds an output
method the configured server supports.
"""

from __future__ import annotations

import json
import re

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from bot.coaching.checks import Issue
from bot.coaching.coach import CoachWords, DraftRequest
from bot.coaching.compose import involves_commercial_partner, readiness_checklist
from bot.coaching.guided import citation, shown_answer
from bot.coaching.questions import NONE, QUESTION_KEYS
from bot.coaching.recogniser import Part
from bot.coaching.rubric import CRITERIA, merge_scores
from bot.coaching.stages import QUESTIONS, Question, stage_of
from bot.drafts.content import CriterionScore, DraftContent, PartyValue, RubricScore
from bot.llm.client import (
    HISTORY_BUDGET_TOKENS,
    PROMPT_BUDGET_TOKENS,
    StructuredCaller,
    fit,
    history_messages,
    make_chat,
    plain_call,
)
from bot.llm.exchange import ModelUnavailable, TextSink, Turn, Usage
from bot.prompts import Prompt, load_prompt
from bot.retrieval.answering import Answer
from bot.retrieval.passage import Passage
from bot.settings import Settings
from bot.tokens import count_tokens

CITATION = re.compile(r"\[(\d{1,2})\]")
PASSAGE_BUDGET_TOKENS = 1800
ANSWERS_BUDGET_TOKENS = 2000


class DraftOutput(BaseModel):
    """What the model writes; title, partners, checklist and sources are the engine's."""

    problem_statement: str = Field(description="at most three sentences")
    how_might_we: str = Field(description="one line starting 'How might we'")
    value_proposition: list[PartyValue]
    evidence: list[str]
    measures: list[str]
    scope: str
    risks: str


class RubricOutput(BaseModel):
    criteria: list[CriterionScore]


class ExtractedPart(BaseModel):
    text: str = Field(description="the user's words for this part, copied exactly")
    questions: list[str] = Field(description="question keys this part answers; empty if none")


class ExtractionOutput(BaseModel):
    """The parts of one message and the coaching questions each answers."""

    parts: list[ExtractedPart]


def numbered_passages(passages: list[Passage]) -> str:
    if not passages:
        return "(none found)"
    blocks = [
        f"[{n}] {p.title} — {p.heading or 'overview'} ({p.path})\n{p.text}"
        for n, p in enumerate(passages, start=1)
    ]
    return fit("\n\n".join(blocks), PASSAGE_BUDGET_TOKENS)


def answers_text(answers: dict[str, str]) -> str:
    lines = [
        f"- {q.prompt}\n  {answers[q.key].strip()}"
        for q in QUESTIONS
        if answers.get(q.key, "").strip()
    ]
    return fit("\n".join(lines) or "(no answers yet)", ANSWERS_BUDGET_TOKENS)


class LLMCoach:
    mode = "llm"

    def __init__(
        self,
        settings: Settings,
        chat: ChatOpenAI | None = None,
        prompt_versions: dict[str, int] | None = None,
    ) -> None:
        self.settings = settings
        self.model: str | None = settings.coach_model
        self.chat = chat or make_chat(settings)
        self.timeout = settings.coach_llm_timeout
        pinned = prompt_versions or {}
        self.prompts: dict[str, Prompt] = {
            name: load_prompt(name, pinned.get(name))
            for name in ("feedback", "side_answer", "draft", "score", "extract")
        }
        self.structured = StructuredCaller(self.chat, self.timeout)

    @property
    def prompt_versions(self) -> dict[str, str]:
        return {name: prompt.ref for name, prompt in self.prompts.items()}

    def _messages(
        self, prompt: Prompt, history: list[Turn] | None = None, **values: object
    ) -> list[BaseMessage]:
        """System, recent history and the user part, never over the per-turn token budget."""
        system, user = prompt.render(**values)
        past = history_messages(history or [], HISTORY_BUDGET_TOKENS)
        fixed = count_tokens(system) + count_tokens(user) + 12
        while past and fixed + sum(count_tokens(str(m.content)) + 4 for m in past) > (
            PROMPT_BUDGET_TOKENS
        ):
            past.pop(0)
        if fixed > PROMPT_BUDGET_TOKENS:
            user = fit(user, max(PROMPT_BUDGET_TOKENS - count_tokens(system) - 12, 200))
        return [SystemMessage(system), *past, HumanMessage(user)]

    def feedback(
        self,
        question: Question,
        answer: str,
        issues: list[Issue],
        passages: list[Passage],
        history: list[Turn],
        stream: TextSink | None = None,
    ) -> CoachWords:
        messages = self._messages(
            self.prompts["feedback"],
            history,
            stage=stage_of(question.key).name,
            question=question.prompt,
            hint=question.hint,
            issues="; ".join(i.message for i in issues) or "nothing",
            passages=numbered_passages(passages),
            answer=fit(answer, 1200),
        )
        text, usage = plain_call(self.chat, messages, self.timeout, stream)
        return CoachWords(text, usage)

    def side_answer(
        self,
        question: str,
        passages: list[Passage],
        history: list[Turn],
        stream: TextSink | None = None,
        answer: Answer | None = None,
    ) -> CoachWords:
        """The model writes the answer from the composed sentences and cites them by number.

        An answer that cites none of them, or a number that is not one of them, cannot be
        traced, so it is refused (`ModelUnavailable`) and the guided coach's answer, composed
        from the same sentences, is given instead.
        """
        stage = "coaching"
        messages = self._messages(
            self.prompts["side_answer"],
            history,
            stage=stage,
            question=fit(question, 400),
            passages=numbered_passages(passages),
            sentences=answer.numbered_sentences() if answer else "(none found)",
        )
        text, usage = plain_call(self.chat, messages, self.timeout, stream)
        if answer is None or not answer.found:
            return CoachWords(text, usage)
        cited = {int(n) for n in CITATION.findall(text)}
        if not cited or not cited <= {c.n for c in answer.citations}:
            raise ModelUnavailable("the model's answer did not cite its sources by number")
        return CoachWords(shown_answer(answer, text.strip()), usage)

    def recognise(self, text: str, asked: str | None) -> tuple[list[Part], Usage]:
        """One structured call: the parts of the message and the question keys each answers.

        Parts are kept only when their words really come from the message, and keys only when
        they name a real question, so a model cannot file words the user never wrote.
        """
        questions = "\n".join(f"  {q.key}: {q.prompt} ({q.good})" for q in QUESTIONS)
        messages = self._messages(
            self.prompts["extract"],
            questions=questions,
            asked=asked or "(none)",
            answer=fit(text, 1500),
            schema=json.dumps(ExtractionOutput.model_json_schema()),
        )
        output, usage = self.structured.call(ExtractionOutput, messages)
        flat = " ".join(text.split()).casefold()
        parts = []
        for item in output.parts:
            words = " ".join(item.text.split())
            if not words or words.casefold() not in flat:
                continue
            keys = tuple(dict.fromkeys(k for k in item.questions if k in QUESTION_KEYS))
            parts.append(Part(words, keys, 1.0 if keys else 0.0, keys[0] if keys else NONE))
        return parts, usage

    def compose(self, request: DraftRequest) -> tuple[DraftContent, Usage]:
        previous = (
            request.previous.model_dump_json(
                include={
                    "problem_statement",
                    "how_might_we",
                    "value_proposition",
                    "evidence",
                    "measures",
                    "scope",
                    "risks",
                }
            )
            if request.previous
            else "(none)"
        )
        messages = self._messages(
            self.prompts["draft"],
            title=request.title,
            partners=", ".join(request.partners) or "(not named)",
            answers=answers_text(request.answers),
            passages=numbered_passages(request.passages),
            previous=fit(previous, 1200),
            instruction=fit(request.instruction, 300) or "(none)",
            schema=json.dumps(DraftOutput.model_json_schema()),
        )
        output, usage = self.structured.call(DraftOutput, messages)
        commercial = involves_commercial_partner(
            request.partners, request.partner_type, request.answers
        )
        content = DraftContent(
            title=request.title,
            partners=request.partners,
            **output.model_dump(),
            checklist=readiness_checklist(request.answers) if commercial else [],
            sources=[citation(p) for p in request.passages],
        )
        return content, usage

    def score(
        self, content: DraftContent, answers: dict[str, str], deterministic: RubricScore
    ) -> tuple[RubricScore, Usage]:
        criteria = "\n".join(f"- {c.id}: {c.name} — {c.test}" for c in CRITERIA)
        messages = self._messages(
            self.prompts["score"],
            criteria=criteria,
            draft=fit(content.model_dump_json(exclude={"sources", "checklist"}), 1500),
            answers=answers_text(answers),
            schema=json.dumps(RubricOutput.model_json_schema()),
        )
        output, usage = self.structured.call(RubricOutput, messages)
        model_score = RubricScore(criteria=output.criteria, gate_passed=deterministic.gate_passed)
        return merge_scores(deterministic, model_score), usage
