"""The coaching engine: one turn in, one reply out, all state in the drafts store.

`handle(actor, draft_id, text)` is the whole contract an adapter needs. Each turn reads the draft,
decides, and writes it back guarded by the draft's lock version: if another turn on the same
draft landed first, the turn is re-run on the fresh state, so two messages arriving together both
keep their answers. Nothing lives in memory between turns, so any process can serve the next one
and a crash between turns loses nothing.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.coaching.coach import Coach, CoachUnavailable, DraftRequest, TextSink, Turn, Usage
from bot.coaching.compose import involves_commercial_partner, split_partners
from bot.coaching.guided import GuidedCoach, citation, excerpt
from bot.coaching.questions import check_answer
from bot.coaching.reply import Reply, Tip
from bot.coaching.rubric import score_draft
from bot.coaching.stages import (
    FINAL,
    REVIEW,
    STAGES,
    first_key,
    next_key,
    previous_key,
    question,
    resolve_stage,
    stage_number,
    stage_of,
)
from bot.drafts.content import DraftContent, RubricScore
from bot.drafts.records import Actor, DraftRecord, NewVersion, VersionRecord
from bot.drafts.repository import ConcurrentUpdate, DraftStore, backoff_delay
from bot.privacy import redact_identifiers, redact_line, redact_model, redact_text
from bot.retrieval.search import KnowledgeSearch, Passage
from bot.textsafety import clean_text

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
MAX_TURN_ATTEMPTS = 8
# A re-run turn may call a model again, so its backoff starts higher than the store's.
TURN_BACKOFF_BASE_S = 0.05
TURN_BACKOFF_CAP_S = 1.0
ATTEMPTS_PREFIX = "meta.attempts."
RETURN_TO_REVIEW = "meta.return_to_review"  # an answer edited from the review goes back there
COMPOSE_QUERIES = (
    "what makes a high-quality problem statement",
    "value proposition for each party triple win",
)
JOINT_WORKING_QUERY = "joint working written agreement public summary exit strategy"

_COMMANDS = {
    "back": "back",
    "go back": "back",
    "skip": "skip",
    "next": "skip",
    "draft": "draft",
    "show draft": "draft",
    "compose": "draft",
    "accept": "accept",
    "finish": "accept",
    "done": "accept",
    "where was i": "show",
    "where are we": "show",
    "status": "show",
}
_EDIT = re.compile(r"^(?:edit|change|go to|goto)\s+(.+)$", re.IGNORECASE)
_OVERRIDE = re.compile(
    r"^(?P<field>problem statement|problem|statement|hmw|how might we)\s*[:\-–]\s*(?P<text>.+)$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass
class _Plan:
    """What a turn decided; written only once the state has been saved without conflict."""

    reply: Reply
    stage: str | None = None
    answers: dict[str, str] | None = None
    status: str | None = None
    partners: list[str] | None = None
    version: tuple[DraftContent, RubricScore, str, str | None, dict[str, str], Usage] | None = None
    user_text: str | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def changes_state(self) -> bool:
        return any(v is not None for v in (self.stage, self.answers, self.status, self.partners))


class Engine:
    """Coaches one draft at a time for any adapter (console, Slack, evals)."""

    def __init__(
        self,
        store: DraftStore,
        coach: Coach | None = None,
        search: KnowledgeSearch | None = None,
    ) -> None:
        self.store = store
        self.guided = GuidedCoach()
        self.coach: Coach = coach or self.guided
        self.search = search

    # -- starting and finding conversations ----------------------------------------------------
    def start(
        self,
        actor: Actor,
        title: str,
        *,
        partners: list[str] | None = None,
        partner_type: str = "",
        area_of_care: str = "",
        conversation_key: str | None = None,
    ) -> Reply:
        """Create a draft and ask its first question (skipping what a form already answered)."""
        title = clean_text(title or "")
        partner_type, area_of_care = clean_text(partner_type), clean_text(area_of_care)
        partners = [clean_text(p) for p in partners or []]
        # Guarded after their final formatting: collapsing whitespace after redaction would
        # rebuild "676  122  2028" into a number the guard never saw.
        title = redact_line(title or "", 200) or "Untitled draft"
        partners = [redact_line(p) for p in partners or [] if p.strip()]
        partner_type, area_of_care = redact_line(partner_type), redact_line(area_of_care)
        answers: dict[str, str] = {}
        stage = first_key()
        if partners:
            answers["context.partners"] = ", ".join(partners)
            stage = next_key(stage)
        reply = self._ask("", stage, text="")

        def opening(draft: DraftRecord) -> list[tuple[str, str]]:
            reply.draft_id = draft.id
            reply.text = f"New draft *{draft.title}* ({draft.id})."
            return [("coach", reply.as_text())]

        # One transaction: the draft, its first answers, the link and the first question.
        self.store.create_draft(
            actor,
            title,
            partners=partners,
            partner_type=partner_type,
            area_of_care=area_of_care,
            stage=stage,
            answers=answers,
            conversation_key=conversation_key,
            messages=opening,
        )
        return reply

    def current(self, conversation_key: str, actor: Actor) -> DraftRecord | None:
        return self.store.linked_draft(conversation_key, actor)

    def open(self, actor: Actor, draft_id: str, conversation_key: str | None = None) -> Reply:
        """Resume a draft: where it stands and what comes next."""
        draft = self.store.get_draft(actor, draft_id)
        if conversation_key:
            self.store.link_conversation(conversation_key, actor, draft.id)
        return self._where(draft, actor)

    def ask(self, text: str) -> Reply:
        """A knowledge-base question outside any draft: a cited answer, nothing stored."""
        text = clean_text(text or "").strip()[:MAX_MESSAGE_CHARS]
        guarded = redact_identifiers(text)
        asked = guarded.text.lstrip("? ").strip()
        passages = self._find(asked, k=3)
        notices = [n for n in [guarded.notice()] if n]
        said = self._with_fallback(notices, lambda c: c.side_answer(asked, passages, []))
        reply = Reply("", "answer", said.text, notices=notices, coach_mode=self.coach.mode)
        reply.tips = self._tips(passages[:2])
        return reply

    # -- the turn -----------------------------------------------------------------------------
    def handle(
        self, actor: Actor, draft_id: str, text: str, stream: TextSink | None = None
    ) -> Reply:
        """One user message: an answer, a command word, a side question or a revision.

        With `stream`, coach words are passed on as a model writes them (first attempt only,
        so a re-run after a concurrent update never shows the same words twice).
        """
        text = clean_text(text or "").strip()
        if not text:
            return Reply(draft_id, "error", "That message was empty: type an answer, or *help*.")
        if len(text) > MAX_MESSAGE_CHARS:
            return Reply(
                draft_id,
                "error",
                f"That message is {len(text):,} characters; the limit is {MAX_MESSAGE_CHARS:,}. "
                "Nothing was saved: please shorten it or split it into two messages.",
            )
        guarded = redact_identifiers(text)
        notice = guarded.notice()
        sinks = [stream]

        def decide(draft: DraftRecord) -> _Plan:
            return self._decide(actor, draft, guarded.text, sinks.pop() if sinks else None)

        reply = self._run_turn(actor, draft_id, decide)
        if notice:
            reply.notices.insert(0, notice)
        return reply

    def back(self, actor: Actor, draft_id: str) -> Reply:
        return self._run_turn(actor, draft_id, lambda d: self._go(d, previous_key(d.stage)))

    def skip(self, actor: Actor, draft_id: str) -> Reply:
        return self._run_turn(actor, draft_id, lambda d: self._skip(actor, d))

    def edit(self, actor: Actor, draft_id: str, stage_name: str) -> Reply:
        return self._run_turn(actor, draft_id, lambda d: self._edit(d, stage_name))

    def compose(self, actor: Actor, draft_id: str) -> Reply:
        return self._run_turn(actor, draft_id, lambda d: self._compose(actor, d, stay=True))

    def accept(self, actor: Actor, draft_id: str) -> Reply:
        return self._run_turn(actor, draft_id, lambda d: self._accept(actor, d))

    def _run_turn(
        self, actor: Actor, draft_id: str, decide: Callable[[DraftRecord], _Plan]
    ) -> Reply:
        for attempt in range(1, MAX_TURN_ATTEMPTS + 1):
            draft = self.store.get_draft(actor, draft_id)
            plan = decide(draft)
            try:
                return self._commit(actor, draft, plan)
            except ConcurrentUpdate:
                log.info("draft %s changed under this turn; re-running it", draft_id)
                time.sleep(backoff_delay(attempt, TURN_BACKOFF_BASE_S, TURN_BACKOFF_CAP_S))
        return Reply(
            draft_id,
            "error",
            "Several messages arrived at once and I could not save yours. Please send it again.",
        )

    def _commit(self, actor: Actor, draft: DraftRecord, plan: _Plan) -> Reply:
        """Write the turn (state, version, both history messages) in ONE transaction.

        A process killed mid-turn then leaves the whole turn or none of it, never an answer
        saved without the coach's reply. ConcurrentUpdate means nothing was written.
        """
        reply = plan.reply
        new_version = None
        if plan.version is not None:
            content, rubric, mode, model, prompts, usage = plan.version
            new_version = NewVersion(
                content,
                rubric,
                mode,
                model,
                dict(prompts),
                usage.prompt_tokens,
                usage.completion_tokens,
            )
        notices = plan.notices + reply.notices

        def history(version: VersionRecord | None) -> list[tuple[str, str]]:
            if version is not None:
                reply.version = version.number
            reply.notices = notices
            said = [] if plan.user_text is None else [("user", plan.user_text)]
            return [*said, ("coach", redact_text(reply.as_text()))]

        self.store.commit_turn(
            actor,
            draft.id,
            expected_lock_version=draft.lock_version,
            stage=plan.stage,
            answers=plan.answers,
            status=plan.status,
            partners=plan.partners,
            version=new_version,
            messages=history,
        )
        return reply

    # -- decisions ----------------------------------------------------------------------------
    def _decide(
        self, actor: Actor, draft: DraftRecord, text: str, stream: TextSink | None = None
    ) -> _Plan:
        word = text.lower().strip(" .!/")
        if word in _COMMANDS:
            plan = self._command(actor, draft, _COMMANDS[word])
        elif match := _EDIT.match(text.strip(" /")):
            plan = self._edit(draft, match.group(1))
        elif draft.stage in (REVIEW, FINAL):
            plan = self._revise(actor, draft, text)
        elif self._is_side_question(text):
            plan = self._side_question(actor, draft, text, stream)
        else:
            plan = self._answer(actor, draft, text, stream)
        plan.user_text = text
        return plan

    def _command(self, actor: Actor, draft: DraftRecord, name: str) -> _Plan:
        if name == "back":
            return self._go(draft, previous_key(draft.stage))
        if name == "skip":
            return self._skip(actor, draft)
        if name == "draft":
            return self._compose(actor, draft, stay=True)
        if name == "accept":
            return self._accept(actor, draft)
        return _Plan(self._where(draft, actor))

    @staticmethod
    def _is_side_question(text: str) -> bool:
        return text.startswith("?") or (text.endswith("?") and len(text) < 300)

    def _answer(
        self, actor: Actor, draft: DraftRecord, text: str, stream: TextSink | None = None
    ) -> _Plan:
        asked = question(draft.stage)
        if asked is None:  # an unknown stage from an older version: start again safely
            return self._go(draft, first_key())
        answers = dict(draft.answers)
        answers[asked.key] = text
        issues = check_answer(asked.key, text)
        tries_key = ATTEMPTS_PREFIX + asked.key
        tries = int(answers.get(tries_key, "0") or 0)
        passages = self._find(f"{asked.search} {text[:300]}", k=2)
        notices: list[str] = []
        said = self._with_fallback(
            notices,
            lambda c: c.feedback(
                asked, text, issues, passages, self._history(actor, draft), stream=stream
            ),
        )
        if any(issue.severity == "major" for issue in issues) and tries == 0:
            answers[tries_key] = "1"
            reply = self._question_reply(draft.id, asked.key, said.text)
            reply.text += "\n\nTry a new version of your answer, or say *skip* to keep this one."
            reply.tips = self._tips(passages[:1])
            return _Plan(reply, answers=answers, notices=notices)
        answers.pop(tries_key, None)
        partners = None
        if asked.key == "context.partners" and not draft.partners:
            partners = split_partners(text)
        following = REVIEW if answers.pop(RETURN_TO_REVIEW, None) else next_key(asked.key)
        if following == REVIEW:
            plan = self._compose(actor, draft, answers=answers, stay=False, lead=said.text)
            plan.answers, plan.partners = answers, partners
            plan.notices = notices + plan.notices
            return plan
        reply = self._question_reply(draft.id, following, said.text)
        reply.tips = self._tips(self._find(question(following).search, k=1), passages[:1])  # type: ignore[union-attr]
        return _Plan(reply, stage=following, answers=answers, partners=partners, notices=notices)

    def _skip(self, actor: Actor, draft: DraftRecord) -> _Plan:
        if draft.stage in (REVIEW, FINAL):
            return _Plan(self._where(draft, actor))
        answers = {k: v for k, v in draft.answers.items() if k != ATTEMPTS_PREFIX + draft.stage}
        following = REVIEW if answers.pop(RETURN_TO_REVIEW, None) else next_key(draft.stage)
        if following == REVIEW:
            plan = self._compose(actor, draft, answers=answers, stay=False, lead="Skipped.")
            plan.answers = answers
            return plan
        reply = self._question_reply(draft.id, following, "Skipped: you can come back with *back*.")
        return _Plan(reply, stage=following, answers=answers)

    def _go(self, draft: DraftRecord, key: str) -> _Plan:
        current = draft.answers.get(key, "")
        lead = f"Your answer so far: “{excerpt(current, 3, 400)}”" if current else ""
        reply = self._question_reply(draft.id, key, lead)
        if current:
            reply.text += "\n\nSend a new answer to replace it, or *skip* to keep it."
        status = "active" if draft.status == "final" else None
        answers = None
        if draft.stage in (REVIEW, FINAL):
            answers = {**draft.answers, RETURN_TO_REVIEW: "1"}
            reply.text += "\n\nAfter this answer I'll take you straight back to the draft."
        return _Plan(reply, stage=key, status=status, answers=answers)

    def _edit(self, draft: DraftRecord, name: str) -> _Plan:
        key = resolve_stage(name)
        if key is None:
            names = ", ".join(stage.id for stage in STAGES[:-1])
            return _Plan(
                Reply(draft.id, "error", f"I don't know the stage “{name}”. Try one of: {names}.")
            )
        return self._go(draft, key)

    def _side_question(
        self, actor: Actor, draft: DraftRecord, text: str, stream: TextSink | None = None
    ) -> _Plan:
        asked = text.lstrip("? ").strip()
        passages = self._find(asked, k=3)
        notices: list[str] = []
        said = self._with_fallback(
            notices,
            lambda c: c.side_answer(asked, passages, self._history(actor, draft), stream=stream),
        )
        reply = self._question_reply(draft.id, draft.stage, said.text, kind="answer")
        reply.tips = self._tips(passages[:2])
        if draft.stage in (REVIEW, FINAL):
            reply.question = None
        else:
            reply.text += "\n\nBack to where we were:"
        return _Plan(reply, notices=notices)

    def _revise(self, actor: Actor, draft: DraftRecord, text: str) -> _Plan:
        answers = dict(draft.answers)
        if match := _OVERRIDE.match(text):
            field_name = (
                "how_might_we"
                if match["field"].lower() in ("hmw", "how might we")
                else ("problem_statement")
            )
            new_text = " ".join(match["text"].split())
            if field_name == "how_might_we" and not new_text.lower().startswith("how might we"):
                new_text = "How might we " + new_text[0].lower() + new_text[1:]
            answers[f"override.{field_name}"] = redact_text(new_text)  # after its reformatting
            plan = self._compose(actor, draft, answers=answers, stay=True, lead="Updated.")
            plan.answers = answers
            return plan
        if self._is_side_question(text):
            return self._side_question(actor, draft, text)
        if self.coach.mode == "llm":
            return self._compose(actor, draft, answers=answers, stay=True, instruction=text)
        return _Plan(Reply(draft.id, "info", REVIEW_HELP, **self._stage_fields(draft.stage)))

    def _accept(self, actor: Actor, draft: DraftRecord) -> _Plan:
        if not draft.owned_by(actor):
            return _Plan(Reply(draft.id, "error", "Only the draft's owner can mark it final."))
        latest = self.store.latest_version(actor, draft.id)
        if latest is None:
            plan = self._compose(actor, draft, stay=False, lead="Accepted.")
            plan.stage, plan.status = FINAL, "final"
            return plan
        reply = Reply(
            draft.id,
            "draft",
            f"Marked final: version {latest.number}, scoring {latest.score}%. "
            "Export it for your partnership meeting.",
            content=latest.content,
            rubric=latest.rubric,
            version=latest.number,
            coach_mode=latest.coach_mode,
            **self._stage_fields(FINAL),
        )
        return _Plan(reply, stage=FINAL, status="final")

    def _compose(
        self,
        actor: Actor,
        draft: DraftRecord,
        *,
        answers: dict[str, str] | None = None,
        stay: bool,
        lead: str = "",
        instruction: str = "",
    ) -> _Plan:
        """Write, score and version the draft from the answers so far."""
        answers = dict(answers if answers is not None else draft.answers)
        partners = draft.partners or split_partners(answers.get("context.partners", ""))
        passages = self._compose_passages(partners, draft.partner_type, answers)
        latest = self.store.latest_version(actor, draft.id) if instruction else None
        request = DraftRequest(
            title=draft.title,
            partners=partners,
            partner_type=draft.partner_type,
            answers=answers,
            passages=passages,
            previous=latest.content if latest else None,
            instruction=instruction,
        )
        notices: list[str] = []
        usage = Usage()
        coach_used: list[Coach] = []

        def write(coach: Coach) -> tuple[DraftContent, RubricScore]:
            content, used = coach.compose(request)
            usage.add(used)
            pii = redact_identifiers(
                " ".join([content.problem_statement, content.how_might_we, *content.evidence])
            ).changed
            # Whatever a coach wrote is guarded before it is scored, shown or saved as a version:
            # a template can join answers into an identifier, a model can invent one.
            content = redact_model(content, keep=("sources",))
            deterministic = score_draft(content, answers, pii_found=pii)
            rubric, used = coach.score(content, answers, deterministic)
            usage.add(used)
            coach_used.append(coach)
            return content, redact_model(rubric)

        content, rubric = self._with_fallback(notices, write)
        coach = coach_used[-1]
        stage = draft.stage if stay else REVIEW
        if stay and draft.stage == FINAL:
            stage = REVIEW
        text = lead + ("\n\n" if lead else "") + _review_lead(rubric, stage)
        reply = Reply(
            draft.id,
            "draft",
            text,
            content=content,
            rubric=rubric,
            coach_mode=coach.mode,
            **self._stage_fields(stage),
        )
        if stay and stage not in (REVIEW, FINAL):
            asked = question(stage)
            reply.question = asked.prompt if asked else None
            reply.hint = asked.hint if asked else None
        status = "active" if draft.status == "final" else None
        version = (content, rubric, coach.mode, coach.model, coach.prompt_versions, usage)
        return _Plan(
            reply,
            stage=None if stage == draft.stage else stage,
            status=status,
            version=version,
            notices=notices,
        )

    # -- helpers ------------------------------------------------------------------------------
    def _with_fallback(self, notices: list[str], call: Callable[[Coach], object]):
        """Run with the configured coach; on failure, the guided coach answers this turn."""
        if self.coach is self.guided:
            return call(self.guided)
        try:
            return call(self.coach)
        except CoachUnavailable as error:
            log.warning("LLM coach unavailable: %s", error)
            notice = f"The AI coach is unavailable ({error}); the guided coach answered this turn."
            if notice not in notices:
                notices.append(notice)
            return call(self.guided)

    def _find(self, query: str, k: int) -> list[Passage]:
        if self.search is None:
            return []
        try:
            return self.search.search(query, k=k)
        except Exception as error:  # tips are a bonus: a missing index must not break coaching
            log.warning("knowledge search failed: %s", error)
            return []

    def _compose_passages(
        self, partners: list[str], partner_type: str, answers: dict
    ) -> list[Passage]:
        queries = list(COMPOSE_QUERIES)
        if involves_commercial_partner(partners, partner_type, answers):
            queries.append(JOINT_WORKING_QUERY)
        passages: list[Passage] = []
        for query in queries:
            for passage in self._find(query, k=1):
                if passage.path not in {p.path for p in passages}:
                    passages.append(passage)
        return passages

    @staticmethod
    def _tips(*groups: list[Passage]) -> list[Tip]:
        tips: list[Tip] = []
        seen: set[str] = set()
        for group in groups:
            for passage in group:
                if passage.path + passage.heading not in seen:
                    seen.add(passage.path + passage.heading)
                    tips.append(Tip(excerpt(passage.text), citation(passage)))
        return tips[:2]

    def _history(self, actor: Actor, draft: DraftRecord) -> list[Turn]:
        return [Turn(m.role, m.text) for m in self.store.recent_messages(actor, draft.id, limit=12)]

    @staticmethod
    def _stage_fields(key: str) -> dict:
        return {
            "stage_number": stage_number(key),
            "stage_total": len(STAGES),
            "stage_name": stage_of(key).name if key != FINAL else "Final",
        }

    def _question_reply(self, draft_id: str, key: str, text: str, kind: str = "question") -> Reply:
        asked = question(key)
        return Reply(
            draft_id,
            kind,  # type: ignore[arg-type]
            text,
            question=asked.prompt if asked else None,
            hint=asked.hint if asked else None,
            coach_mode=self.coach.mode,
            **self._stage_fields(key),
        )

    def _ask(self, draft_id: str, key: str, text: str) -> Reply:
        reply = self._question_reply(draft_id, key, text)
        asked = question(key)
        if asked:
            reply.tips = self._tips(self._find(asked.search, k=1))
        return reply

    def _where(self, draft: DraftRecord, actor: Actor) -> Reply:
        if draft.stage in (REVIEW, FINAL):
            latest = self.store.latest_version(actor, draft.id)
            if latest is not None:
                return Reply(
                    draft.id,
                    "draft",
                    f"*{draft.title}* — version {latest.number}, {latest.score}%."
                    + ("" if draft.stage == FINAL else "\n\n" + REVIEW_HELP),
                    content=latest.content,
                    rubric=latest.rubric,
                    version=latest.number,
                    coach_mode=latest.coach_mode,
                    **self._stage_fields(draft.stage),
                )
        return self._question_reply(draft.id, draft.stage, f"*{draft.title}* ({draft.id}).")


REVIEW_HELP = (
    "To improve the draft: *edit <stage>* (e.g. *edit evidence*) to change an answer, "
    "*problem: <new text>* or *hmw: <new text>* to rewrite a line yourself, a question ending "
    "in ? to ask the knowledge base, or *accept* to mark it final."
)


def _review_lead(rubric: RubricScore, stage: str) -> str:
    weakest = sorted(rubric.criteria, key=lambda c: c.score)[:2]
    tips = "; ".join(f"{c.name}: {c.suggestion}" for c in weakest if c.score < 2 and c.suggestion)
    lead = f"Here is the draft, scoring {rubric.percent}% against the 10-point rubric."
    if not rubric.gate_passed:
        lead += " It contains patient-identifiable data, so it cannot pass until that is removed."
    if tips:
        lead += f"\nTo raise it: {tips}"
    if stage == REVIEW:
        lead += "\n\n" + REVIEW_HELP
    return lead
