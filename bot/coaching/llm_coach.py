"""The LLM coach: a model writes feedback, side answers and drafts; rules still guard the score.

Every call fits a per-turn token budget (passages and history trimmed with the project's offline
tokenizer), cites the knowledge passages it was given, and records which prompt versions it used.
Structured replies (readings, drafts, rubric scores) go through `StructuredCaller`, which finds
an output method the configured server supports.

An answer costs one call: `read` both files the message's parts under the questions they answer
and writes the feedback on it (prompt `read`), where reading and feedback used to be two calls
each carrying the whole prompt. `recognise` and `feedback` remain for the turns that need only
one of them (new facts after the draft, an answer insisted on after a redirect).
"""

from __future__ import annotations

import json
import re

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from bot.coaching.checklist import readiness_checklist
from bot.coaching.checks import Issue
from bot.coaching.coach import CoachWords, DraftRequest, Reading, ReadRequest
from bot.coaching.guided import citation, shown_answer
from bot.coaching.partners import partner_fit
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
# A reading is sent every turn, so its parts are kept small: the feedback needs the gist of two
# passages and the last exchange, not the whole conversation.
READ_PASSAGE_BUDGET_TOKENS = 450
READ_HISTORY_BUDGET_TOKENS = 300
READ_ANSWER_BUDGET_TOKENS = 1200
DRAFT_PASSAGE_BUDGET_TOKENS = 900
PROMPT_IDS = ("feedback", "side_answer", "draft", "score", "extract", "read")


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


class ReadOutput(BaseModel):
    """One answer read and coached on: its parts by question, and the feedback on it."""

    parts: list[ExtractedPart]
    feedback: str = Field(description="coaching on the answer to the question asked, ≤ 90 words")


def numbered_passages(passages: list[Passage], budget: int = PASSAGE_BUDGET_TOKENS) -> str:
    """Passages numbered for citation, each given an equal share of `budget` tokens, so a long
    first passage never crowds out the second."""
    if not passages:
        return "(none found)"
    share = max(budget // len(passages), 60)
    blocks = [
        fit(f"[{n}] {p.title} — {p.heading or 'overview'} ({p.path})\n{p.text}", share)
        for n, p in enumerate(passages, start=1)
    ]
    return "\n\n".join(blocks)


def facts_text(request: DraftRequest) -> str:
    """What a draft is written from: the statement's slots when the statement model read them
    (labelled as such), else the answers by question."""
    if request.understood.strip():
        return "What the user told us, read into slots:\n" + fit(
            request.understood.strip(), ANSWERS_BUDGET_TOKENS
        )
    return "Answers, by question:\n" + answers_text(request.answers)


def question_list() -> str:
    """Every question key with what it holds, one per line, for a reading prompt."""
    return "\n".join(f"  {q.key}: {q.label}" for q in QUESTIONS)


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
            name: load_prompt(name, pinned.get(name)) for name in PROMPT_IDS
        }
        self.structured = StructuredCaller(self.chat, self.timeout)

    @property
    def prompt_versions(self) -> dict[str, str]:
        return {name: prompt.ref for name, prompt in self.prompts.items()}

    def _messages(
        self,
        prompt: Prompt,
        history: list[Turn] | None = None,
        history_budget: int = HISTORY_BUDGET_TOKENS,
        **values: object,
    ) -> list[BaseMessage]:
        """System, recent history and the user part, never over the per-turn token budget."""
        system, user = prompt.render(**values)
        past = history_messages(history or [], history_budget)
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
        return _real_parts(text, output.parts), usage

    def read(self, request: ReadRequest, stream: TextSink | None = None) -> Reading:
        """One structured call: the message's parts by question, and feedback on the answer.

        Parts are kept only when their words really come from the message and keys only when
        they name a real question, as in `recognise`. The feedback is passed to `stream` in one
        piece (a structured reply cannot be shown word by word), as a cached reply would be.
        """
        asked = request.asked
        messages = self._messages(
            self.prompts["read"],
            request.history,
            history_budget=READ_HISTORY_BUDGET_TOKENS,
            questions=question_list(),
            partners=request.partners or "not yet known",
            stage=stage_of(asked.key).name,
            asked=asked.key,
            question=asked.prompt,
            hint=asked.good,
            issues="; ".join(i.message for i in request.issues) or "nothing",
            passages=numbered_passages(request.passages, READ_PASSAGE_BUDGET_TOKENS),
            answer=fit(request.text, READ_ANSWER_BUDGET_TOKENS),
        )
        output, usage = self.structured.call(ReadOutput, messages)
        feedback = " ".join(output.feedback.split())
        if feedback and stream is not None:
            stream(feedback)
        return Reading(
            _real_parts(request.text, output.parts),
            CoachWords(feedback, usage) if feedback else None,
            usage,
        )

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
        partners = partner_fit(request.partner_type, request.partners, request.answers)
        messages = self._messages(
            self.prompts["draft"],
            title=request.title,
            partners=", ".join(request.partners) or "(not named)",
            partner_kinds=partners.describe(),
            answers=answers_text(request.answers),
            facts=facts_text(request),
            passages=numbered_passages(request.passages, DRAFT_PASSAGE_BUDGET_TOKENS),
            previous=fit(previous, 1200),
            instruction=fit(request.instruction, 300) or "(none)",
            schema=json.dumps(DraftOutput.model_json_schema()),
        )
        output, usage = self.structured.call(DraftOutput, messages)
        content = DraftContent(
            title=request.title,
            partners=request.partners,
            **output.model_dump(),
            checklist=readiness_checklist(request.answers, partners),
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


def _real_parts(text: str, extracted: list[ExtractedPart]) -> list[Part]:
    """The model's parts whose words are really in `text`, with only real question keys: a
    model cannot file words the user never wrote."""
    flat = " ".join(text.split()).casefold()
    parts = []
    for item in extracted:
        words = " ".join(item.text.split())
        if not words or words.casefold() not in flat:
            continue
        keys = tuple(dict.fromkeys(k for k in item.questions if k in QUESTION_KEYS))
        parts.append(Part(words, keys, 1.0 if keys else 0.0, keys[0] if keys else NONE))
    return parts
