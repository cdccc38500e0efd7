"""The coaching engine: one turn in, one reply out, all state in the drafts store.

The engine is the one front door for adapters (console, Slack, evals): `start`, `open` and
`handle(actor, draft_id, text)` (with `back`, `skip`, `edit`, `compose`, `accept`) coach a draft
and return a `Reply`; `answer_question` answers outside any draft; `claim_event` de-duplicates
Slack's retries; and `engine.drafts` (a `DraftsService`) lists, shares, rates, exports and links
drafts. Adapters never touch the store, so access is checked in one place.

Each turn reads the draft, decides, and writes it back guarded by the draft's lock version: if
another turn on the same draft landed first, the turn is re-run on the fresh state, so two messages
arriving together both keep their answers. Nothing lives in memory between turns, so any process
can serve the next one and a crash between turns loses nothing.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.coaching.checks import Issue
from bot.coaching.coach import Coach, DraftRequest
from bot.coaching.compose import (
    DATA_QUERY,
    extra_knowledge_queries,
    involves_commercial_partner,
    moves_patient_data,
    split_partners,
)
from bot.coaching.drafts_service import DraftsService
from bot.coaching.filing import (
    file_parts,
    labels,
    next_question,
    offer_back,
    says_again,
    take_back,
)
from bot.coaching.flow import Flow, Redirect
from bot.coaching.guided import GuidedCoach, citation, excerpt
from bot.coaching.intent import Intent, classify
from bot.coaching.questions import (
    PARTNERS,
    QUESTIONS,
    TOPIC,
    WHO,
    Question,
    check_answer,
    known_question,
)
from bot.coaching.recogniser import Part, shared_recogniser, split_parts
from bot.coaching.reply import Reply, ReplyKind, Tip
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
from bot.drafts.repository import (
    ConcurrentUpdate,
    DraftStore,
    StoreUnavailable,
    backoff_delay,
)
from bot.llm.exchange import ModelUnavailable, TextSink, Turn, Usage
from bot.privacy import redact_identifiers, redact_line, redact_model, redact_text
from bot.retrieval.passage import Passage
from bot.textsafety import clean_text

if TYPE_CHECKING:  # the search (chromadb, torch) is built by bot.runtime, not imported here
    from bot.retrieval.search import KnowledgeSearch

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
FEEDBACK_ANSWER_CHARS = 300  # what of an answer the feedback lookup reads
ANSWER_EXCERPT_CHARS = 300  # what of a knowledge answer is kept beside its 👍/👎
MAX_TURN_ATTEMPTS = 8
# A re-run turn may call a model again, so its backoff starts higher than the store's.
TURN_BACKOFF_BASE_S = 0.05
TURN_BACKOFF_CAP_S = 1.0
# Said with a question when the knowledge search itself failed (e.g. the Chroma server is down).
KNOWLEDGE_UNAVAILABLE = (
    "The knowledge base is unavailable just now, so this answer has no sources to draw on: "
    "ask again in a moment."
)
COMPOSE_QUERIES = (
    "what makes a high-quality problem statement",
    "value proposition for each party triple win",
)
JOINT_WORKING_QUERY = "joint working written agreement public summary exit strategy"

# Words `edit …` may name: stage ids and the words of stage names ("edit evidence").
_STAGE_WORDS = tuple(stage.id for stage in STAGES[:-1]) + tuple(
    stage.name.lower() for stage in STAGES[:-1]
)


class _WatchedSink:
    """A stream that remembers whether any text went out through it.

    When a model fails and the guided coach answers instead, the guided coach may send its words
    in one piece only if nothing was shown yet: after half a model answer, its words belong in
    the finished reply, not appended to the stream behind the half answer.
    """

    def __init__(self, stream: TextSink | None) -> None:
        self._stream = stream
        self.used = False

    def __call__(self, piece: str) -> None:
        if self._stream is not None:
            self.used = True
            self._stream(piece)

    def until_used(self) -> TextSink | None:
        """This sink for a coach's first try, or a fallback's when nothing was streamed yet."""
        return None if self._stream is None or self.used else self


@dataclass
class _Plan:
    """What a turn decided; written only once the state has been saved without conflict."""

    reply: Reply
    question_key: str | None = None  # the question to ask next, or REVIEW / FINAL
    answers: dict[str, str] | None = None
    status: str | None = None
    partners: list[str] | None = None
    flow: Flow | None = None
    version: tuple[DraftContent, RubricScore, str, str | None, dict[str, str], Usage] | None = None
    user_text: str | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def changes_state(self) -> bool:
        changed = (self.question_key, self.answers, self.status, self.partners, self.flow)
        return any(v is not None for v in changed)


class Engine:
    """Coaches one draft at a time for any adapter (console, Slack, evals)."""

    def __init__(
        self,
        store: DraftStore,
        coach: Coach | None = None,
        search: KnowledgeSearch | None = None,
    ) -> None:
        self._store = store
        self.drafts = DraftsService(store)
        # The answer recogniser shares the knowledge search's embedding model (loaded once).
        self.guided = GuidedCoach(shared_recogniser(search.embeddings if search else None))
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
        opening_text: str = "",
    ) -> Reply:
        """Create a draft and ask its first question (skipping what a form already answered).

        `opening_text` is what the user already has (a first message, a pasted description or
        document): it is taken as their first answer, so a long one gets a draft at once.
        """
        title = clean_text(title or "") or self._title_for(opening_text)
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
        reply = self._put_question("", stage, text="")

        def opening(draft: DraftRecord) -> list[tuple[str, str]]:
            reply.draft_id = draft.id
            reply.text = f"New draft **{draft.title}** ({draft.id})."
            return [("coach", reply.as_text())]

        # One transaction: the draft, its first answers, the link and the first question.
        self._store.create_draft(
            actor,
            title,
            partners=partners,
            partner_type=partner_type,
            area_of_care=area_of_care,
            question_key=stage,
            answers=answers,
            conversation_key=conversation_key,
            messages=opening,
        )
        if opening_text.strip():
            first = self.handle(actor, reply.draft_id, opening_text)
            first.text = _joined(f"New draft **{title}** ({reply.draft_id}).", first.text)
            return first
        return reply

    def _title_for(self, opening_text: str) -> str:
        """A working title for a draft started from what someone pasted or said first.

        A facilitator heads the page with the problem, not with whoever spoke first: the part
        that says what the partners want to work on, else who is affected, else the first
        sentence that is not the list of partners.
        """
        try:
            parts = self.guided.recogniser.recognise(clean_text(opening_text))
        except Exception as error:  # a title is never worth a failed start
            log.debug("title from the first sentence: %s", error)
            return title_from(opening_text)
        for wanted in (TOPIC, WHO):
            for part in parts:
                if part.keys and part.keys[0] == wanted:
                    return title_from(part.text)
        rest = [p for p in parts if PARTNERS not in p.keys]
        return title_from(rest[0].text if rest else opening_text)

    def current(self, conversation_key: str, actor: Actor) -> DraftRecord | None:
        """The draft an adapter's conversation is linked to, if `actor` may still see it."""
        return self._store.linked_draft(conversation_key, actor)

    def open(self, actor: Actor, draft_id: str, conversation_key: str | None = None) -> Reply:
        """Resume a draft: where it stands and what comes next."""
        draft = self._store.get_draft(actor, draft_id)
        if conversation_key:
            self._store.link_conversation(conversation_key, actor, draft.id)
        return self._where(draft, actor)

    def answer_question(
        self,
        text: str,
        stream: TextSink | None = None,
        *,
        asker: Actor | None = None,
        place: str = "",
    ) -> Reply:
        """A knowledge-base question outside any draft: a cited answer, and no draft touched.

        With `stream`, the answer is passed on as the coach writes it (a model word by word,
        the guided coach in one piece). With `asker` and `place` (where the adapter shows it),
        the answer is kept, guarded, for 👍/👎 and `reply.answer_id` names it; without them
        nothing is stored.
        """
        text = clean_text(text or "").strip()[:MAX_MESSAGE_CHARS]
        guarded = redact_identifiers(text)
        asked = guarded.text.lstrip("? ").strip()
        notices = [n for n in [guarded.notice()] if n]
        passages = self._find(asked, k=3, unavailable=notices)
        sink = _WatchedSink(stream)
        said = self._with_fallback(
            notices, lambda c: c.side_answer(asked, passages, [], stream=sink.until_used())
        )
        reply = Reply("", "answer", said.text, notices=notices, coach_mode=self.coach.mode)
        reply.tips = self._tips(passages, already=said.text)
        if asker is not None and place:
            reply.answer_id = self._keep_answer(asker, place, asked, said.text, passages)
        return reply

    def _keep_answer(
        self, asker: Actor, place: str, asked: str, said: str, passages: list[Passage]
    ) -> int | None:
        """Store the answer as shown, guarded, for feedback; None (no buttons) if the store is
        busy: a vote is a nicety, never worth the answer itself."""
        sources = list(dict.fromkeys(f"{citation(p).where}: {citation(p).link}" for p in passages))
        try:
            return self._store.record_answer(
                asker,
                place,
                question=asked,
                excerpt=redact_line(said, ANSWER_EXCERPT_CHARS),
                sources=sources[:3],
                coach_mode=self.coach.mode,
            )
        except StoreUnavailable as error:  # StoreBusy too: a database restarting
            log.warning("knowledge answer not kept for feedback: %s", error)
            return None

    def claim_event(self, event_id: str) -> bool:
        """True the first time any instance sees `event_id`, False for a redelivery.

        Slack retries an event it thinks went unanswered; claiming it in the shared store
        means a retry is handled once across every instance of the app.
        """
        return self._store.claim_event(event_id)

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
            return Reply(draft_id, "error", "That message was empty: type an answer, or **help**.")
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
        return self._run_turn(actor, draft_id, lambda d: self._go(d, previous_key(d.question_key)))

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
            draft = self._store.get_draft(actor, draft_id)
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
                reply.version, reply.drafted_at = version.number, version.created_at
            reply.notices = notices
            said = [] if plan.user_text is None else [("user", plan.user_text)]
            return [*said, ("coach", redact_text(reply.as_text()))]

        self._store.commit_turn(
            actor,
            draft.id,
            expected_lock_version=draft.lock_version,
            question_key=plan.question_key,
            answers=plan.answers,
            status=plan.status,
            partners=plan.partners,
            flow=None if plan.flow is None else plan.flow.to_json(),
            version=new_version,
            messages=history,
        )
        return reply

    # -- decisions ----------------------------------------------------------------------------
    def _decide(
        self, actor: Actor, draft: DraftRecord, text: str, stream: TextSink | None = None
    ) -> _Plan:
        """Decide what the message is before anything is filed: only answers are filed."""
        intent = classify(text, stage_names=_STAGE_WORDS)
        in_review = draft.question_key in (REVIEW, FINAL)
        if intent.kind == "command":
            plan = self._command(actor, draft, intent)
        elif intent.kind == "rewrite" and (in_review or self._has_version(actor, draft)):
            plan = self._rewrite(actor, draft, intent)
        elif intent.kind == "chatter":
            plan = self._chatter(actor, draft, text)
        elif intent.kind == "question":
            plan = self._side_question(actor, draft, intent.argument or text, stream)
        elif intent.kind == "revision" and (in_review or self._has_version(actor, draft)):
            plan = self._revise(actor, draft, text)
        elif in_review:
            plan = self._late_answer(actor, draft, text)
        else:
            plan = self._answer(actor, draft, text, stream)
        plan.user_text = text
        return plan

    def _command(self, actor: Actor, draft: DraftRecord, intent: Intent) -> _Plan:
        name = intent.command
        if name == "back":
            return self._go(draft, previous_key(draft.question_key))
        if name == "skip":
            return self._skip(actor, draft)
        if name == "draft":
            return self._compose(actor, draft, stay=True)
        if name == "accept":
            return self._accept(actor, draft)
        if name == "edit":
            return self._edit(draft, intent.argument)
        if name in ("help", "cancel", "new"):
            text = {"help": COACHING_HELP, "cancel": PAUSED, "new": START_NEW}[name]
            reply = self._question_reply(draft.id, draft.question_key, text, kind="info")
            if draft.question_key in (REVIEW, FINAL) or name != "help":
                reply.question = reply.hint = None
            return _Plan(reply)
        return _Plan(self._where(draft, actor))

    def _chatter(self, actor: Actor, draft: DraftRecord, text: str) -> _Plan:
        """'thanks', 'ok', 'hi': a word back and the current question, nothing filed."""
        words = text.lower()
        if any(w in words for w in ("thank", "cheers", "ta ")):
            said = "You're welcome."
        elif any(w in words for w in ("hi", "hello", "hey", "morning", "afternoon", "evening")):
            said = "Hello!"
        else:
            said = "OK."
        if draft.question_key in (REVIEW, FINAL):
            after = "Say **accept** when you're happy with the draft, or keep improving it."
            return _Plan(
                Reply(draft.id, "info", f"{said} {after}", **self._stage_fields(draft.question_key))
            )
        reply = self._question_reply(draft.id, draft.question_key, f"{said} Whenever you're ready:")
        reply.kind = "info"
        return _Plan(reply)

    def _has_version(self, actor: Actor, draft: DraftRecord) -> bool:
        return self._store.latest_version(actor, draft.id) is not None

    def _recognise(self, text: str, asked: str | None, notices: list[str]) -> list[Part]:
        """What each part of the message answers (the LLM coach may do this with its model)."""
        parts, _usage = self._with_fallback(notices, lambda c: c.recognise(text, asked))
        if not parts:  # a model that found nothing in the words: the offline recogniser reads them
            parts, _usage = self.guided.recognise(text, asked)
        return parts

    def _answer(
        self, actor: Actor, draft: DraftRecord, text: str, stream: TextSink | None = None
    ) -> _Plan:
        """File each part of the message where it belongs, then ask what is still missing."""
        asked = question(draft.question_key)
        if asked is None:  # an unknown stage from an older version: start again safely
            return self._go(draft, first_key())
        notices: list[str] = []
        before = Flow.from_json(draft.flow)
        if before.redirect is not None and says_again(text, before.redirect, asked.key):
            # The same words again after "that sounds like …": they answer the question asked.
            answers_before = take_back(draft.answers, before.redirect)
            parts = [Part(text, (asked.key,), 1.0, asked.key)]
            insisted = f"Understood: I've kept that as {asked.label}."
        else:
            answers_before = draft.answers
            self._embed_together(
                split_parts(text), self._tip_query(asked, check_answer(asked.key, text), "", text)
            )
            parts = self._recognise(text, asked.key, notices)
            insisted = ""
        filing = file_parts(answers_before, before.with_redirect(None), parts, asked.key)
        answers, flow = filing.answers, filing.flow
        partners = None
        if PARTNERS in filing.filed and not draft.partners:
            partners = split_partners(answers[PARTNERS])
        elsewhere = [key for key in filing.keys if key != asked.key]
        if not filing.answered(asked.key):
            # It fitted other questions: filed there, and the question asked is asked again.
            lead = f"That sounds like {labels(elsewhere)}; I've put it there."
            if filing.rich:
                return self._first_draft(actor, draft, answers, flow, partners, lead, notices)
            lead += " If you meant it for this question, send it again and I'll keep it here."
            flow = flow.with_redirect(Redirect(asked.key, text, tuple(elsewhere)))
            offered, flow = flow.take_unplaced(asked.key)
            reply = self._question_reply(draft.id, asked.key, _joined(lead, offer_back(offered)))
            return _Plan(reply, answers=answers, partners=partners, flow=flow, notices=notices)
        if filing.rich and not flow.return_to_review:
            lead = f"Thank you: that's a lot to work with. I've noted {labels(filing.keys)}."
            flow = flow.answered(asked.key)
            return self._first_draft(actor, draft, answers, flow, partners, lead, notices)
        answer = answers[asked.key]
        issues = check_answer(asked.key, answer)
        passages = self._find(
            self._feedback_query(asked, answer),
            k=2,
            meaning_of=[asked.search, *split_parts(answer[:FEEDBACK_ANSWER_CHARS])],
        )
        said = self._with_fallback(
            notices,
            lambda c: c.feedback(
                asked, answer, issues, passages, self._history(actor, draft), stream=stream
            ),
        )
        if insisted:
            said = replace(said, text=_joined(insisted, said.text))
        also = f"Also noted {labels(elsewhere)}." if elsewhere else ""
        if any(issue.severity == "major" for issue in issues) and flow.tried(asked.key) == 0:
            flow = flow.with_attempt(asked.key)
            retry = "Try a new version of your answer, or say **skip** to keep this one."
            reply = self._question_reply(draft.id, asked.key, _joined(said.text, also, retry))
            tip_query = self._tip_query(asked, issues, asked.search, text)
            reply.tips = self._tips(self._find(tip_query, k=3), passages, actor=actor, draft=draft)
            return _Plan(reply, answers=answers, partners=partners, flow=flow, notices=notices)
        flow = flow.answered(asked.key)
        if flow.return_to_review:
            flow = replace(flow, return_to_review=False)
            plan = self._compose(
                actor, draft, answers=answers, flow=flow, stay=False, lead=_joined(said.text, also)
            )
            plan.answers, plan.partners, plan.flow = answers, partners, flow
            plan.notices = notices + plan.notices
            return plan
        following = next_question(answers, flow)
        if following == REVIEW:
            plan = self._compose(
                actor, draft, answers=answers, flow=flow, stay=False, lead=_joined(said.text, also)
            )
            plan.answers, plan.partners, plan.flow = answers, partners, flow
            plan.notices = notices + plan.notices
            return plan
        offered, flow = flow.take_unplaced(following)
        reply = self._question_reply(
            draft.id, following, _joined(said.text, also, offer_back(offered))
        )
        tip_query = self._tip_query(asked, issues, known_question(following).search, text)
        reply.tips = self._tips(
            self._find(tip_query, k=3), passages, actor=actor, draft=draft, already=said.text
        )
        return _Plan(
            reply,
            question_key=following,
            answers=answers,
            partners=partners,
            flow=flow,
            notices=notices,
        )

    def _late_answer(self, actor: Actor, draft: DraftRecord, text: str) -> _Plan:
        """New information after the draft: filed, then redrafted; anything else is a rewrite."""
        notices: list[str] = []
        parts = self._recognise(text, None, notices)
        filing = file_parts(draft.answers, Flow.from_json(draft.flow), parts, None)
        if not filing.filed:
            return self._revise(actor, draft, text)
        lead = f"Noted {labels(filing.keys)}; here is the draft with it."
        plan = self._compose(
            actor, draft, answers=filing.answers, flow=filing.flow, stay=True, lead=lead
        )
        plan.answers, plan.flow = filing.answers, filing.flow
        plan.notices = notices + plan.notices
        return plan

    def _first_draft(
        self,
        actor: Actor,
        draft: DraftRecord,
        answers: dict[str, str],
        flow: Flow,
        partners: list[str] | None,
        lead: str,
        notices: list[str],
    ) -> _Plan:
        """A long story: a draft and scorecard at once, then the weakest criterion's question."""
        plan = self._compose(
            actor, draft, answers=answers, flow=flow, stay=True, lead=lead, ask_next=True
        )
        plan.answers, plan.partners = answers, partners
        plan.flow = plan.flow or flow
        plan.notices = notices + plan.notices
        return plan

    def _skip(self, actor: Actor, draft: DraftRecord) -> _Plan:
        if draft.question_key in (REVIEW, FINAL):
            return _Plan(self._where(draft, actor))
        flow = Flow.from_json(draft.flow).with_skip(draft.question_key)
        if flow.return_to_review:
            flow = replace(flow, return_to_review=False)
            plan = self._compose(actor, draft, flow=flow, stay=False, lead="Kept as it was.")
            plan.flow = flow
            return plan
        following = next_question(draft.answers, flow)
        if following == REVIEW:
            plan = self._compose(actor, draft, flow=flow, stay=False, lead="Skipped.")
            plan.flow = flow
            return plan
        offered, flow = flow.take_unplaced(following)
        skipped = stage_of(draft.question_key).id
        lead = f"Skipped for now: **edit {skipped}** brings it back."
        reply = self._question_reply(draft.id, following, _joined(lead, offer_back(offered)))
        return _Plan(reply, question_key=following, flow=flow)

    def _go(self, draft: DraftRecord, key: str) -> _Plan:
        current = draft.answers.get(key, "")
        lead = f"Your answer so far: “{excerpt(current, 3, 400)}”" if current else ""
        reply = self._question_reply(draft.id, key, lead)
        if current:
            reply.text += "\n\nSend a new answer to replace it, or **skip** to keep it."
        status = "active" if draft.status == "final" else None
        flow = None
        if draft.question_key in (REVIEW, FINAL):
            flow = replace(Flow.from_json(draft.flow), return_to_review=True)
            reply.text += "\n\nAfter this answer I'll take you straight back to the draft."
        return _Plan(reply, question_key=key, status=status, flow=flow)

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
        notices: list[str] = []
        passages = self._find(asked, k=3, unavailable=notices)
        sink = _WatchedSink(stream)
        said = self._with_fallback(
            notices,
            lambda c: c.side_answer(
                asked, passages, self._history(actor, draft), stream=sink.until_used()
            ),
        )
        reply = self._question_reply(draft.id, draft.question_key, said.text, kind="answer")
        reply.tips = self._tips(passages, actor=actor, draft=draft, already=said.text)
        if draft.question_key in (REVIEW, FINAL):
            reply.question = None
        else:
            reply.text += "\n\nBack to where we were:"
        return _Plan(reply, notices=notices)

    def _rewrite(self, actor: Actor, draft: DraftRecord, intent: Intent) -> _Plan:
        """`problem: …` or `hmw: …`: the user's own words replace that line of the draft."""
        name = "how_might_we" if intent.command in ("hmw", "how might we") else "problem_statement"
        new_text = intent.argument
        if name == "how_might_we" and not new_text.lower().startswith("how might we"):
            new_text = "How might we " + new_text[0].lower() + new_text[1:]
        flow = Flow.from_json(draft.flow).with_override(name, redact_text(new_text))
        plan = self._compose(actor, draft, flow=flow, stay=True, lead="Updated.")
        plan.flow = flow
        return plan

    def _revise(self, actor: Actor, draft: DraftRecord, text: str) -> _Plan:
        """A request to change the draft: the model rewrites it; without one, say what can."""
        if self.coach.mode == "llm":
            return self._compose(actor, draft, stay=True, instruction=text)
        reply = Reply(draft.id, "info", GUIDED_REVISION, **self._stage_fields(draft.question_key))
        if draft.question_key not in (REVIEW, FINAL):
            asked = question(draft.question_key)
            reply.question = asked.prompt if asked else None
        return _Plan(reply)

    def _accept(self, actor: Actor, draft: DraftRecord) -> _Plan:
        if not draft.owned_by(actor):
            return _Plan(Reply(draft.id, "error", "Only the draft's owner can mark it final."))
        latest = self._store.latest_version(actor, draft.id)
        if latest is None:
            plan = self._compose(actor, draft, stay=False, lead="Accepted.")
            plan.question_key, plan.status = FINAL, "final"
            return plan
        reply = Reply(
            draft.id,
            "draft",
            f"Marked final: version {latest.number}, scoring {latest.score}%. "
            "Export it for your partnership meeting.",
            content=latest.content,
            rubric=latest.rubric,
            version=latest.number,
            drafted_at=latest.created_at,
            coach_mode=latest.coach_mode,
            **self._stage_fields(FINAL),
        )
        return _Plan(reply, question_key=FINAL, status="final")

    def _compose(
        self,
        actor: Actor,
        draft: DraftRecord,
        *,
        answers: dict[str, str] | None = None,
        flow: Flow | None = None,
        stay: bool,
        lead: str = "",
        instruction: str = "",
        ask_next: bool = False,
    ) -> _Plan:
        """Write, score and version the draft from the answers so far.

        With `ask_next`, the conversation moves on to the open question behind the weakest
        criterion (after a long first message), or to the review when none is open.
        """
        answers = dict(answers if answers is not None else draft.answers)
        flow = flow or Flow.from_json(draft.flow)
        partners = draft.partners or split_partners(answers.get("context.partners", ""))
        passages = self._compose_passages(partners, draft.partner_type, answers)
        latest = self._store.latest_version(actor, draft.id) if instruction else None
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
            content = content.model_copy(update=flow.overrides)  # the user's own lines win
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
        stage = draft.question_key if stay else REVIEW
        if stay and draft.question_key == FINAL:
            stage = REVIEW
        if ask_next:
            stage = next_question(answers, flow, rubric)
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
            question_key=None if stage == draft.question_key else stage,
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
        except ModelUnavailable as error:
            log.warning("LLM coach unavailable: %s", error)
            notice = f"The AI coach is unavailable ({error}); the guided coach answered this turn."
            if notice not in notices:
                notices.append(notice)
            return call(self.guided)

    def warm_up(self) -> None:
        """Get ready before the first user arrives (a server calls this in the background).

        Loads the knowledge index and embedding model, trains the answer recogniser, and embeds
        the lookups every conversation repeats (each question's tip search, the draft's
        queries), so a user's first turns cost what later turns cost.
        """
        self.guided.recogniser.warm_up()
        if self.search is None:
            return
        self.search.warm_up()
        static = [q.search for q in QUESTIONS] + [*COMPOSE_QUERIES, JOINT_WORKING_QUERY, DATA_QUERY]
        self.search.embeddings.embed_documents(static)

    @staticmethod
    def _feedback_query(asked: Question, answer: str) -> str:
        """What to look up for feedback on an answer: the question's topic and the answer."""
        return f"{asked.search} {answer[:FEEDBACK_ANSWER_CHARS]}"

    def _embed_together(self, *texts: str | list[str]) -> None:
        """Embed a turn's new texts in one batch, before anything asks for them one at a time.

        A guided turn embeds the message's parts (the recogniser) and the lookup for a tip on
        its weakest point; the feedback lookup reuses the parts' vectors (`meaning_of`). On a
        CPU one batched call costs little more than one text, and the embeddings' cache then
        answers every lookup. Only a speed-up: on any failure the lookups embed for themselves,
        and an LLM coach (which reads parts with its model) skips it.
        """
        if self.search is None or self.coach.mode == "llm":
            return
        batch = [t for item in texts for t in ([item] if isinstance(item, str) else item) if t]
        try:
            self.search.embeddings.embed_documents(batch)
        except Exception as error:  # the lookups that follow report their own failures
            log.debug("batched embedding skipped: %s", error)

    def _find(
        self,
        query: str,
        k: int,
        unavailable: list[str] | None = None,
        meaning_of: Sequence[str] = (),
    ) -> list[Passage]:
        """Passages for `query`; [] when search fails, noted in `unavailable` when given, so a
        question is told the knowledge base is down rather than that nothing matched."""
        if self.search is None:
            return []
        query = redact_text(query)  # every search goes through here: guard it once more
        try:
            return self.search.search(query, k=k, meaning_of=meaning_of)
        except Exception as error:  # tips are a bonus: a missing index must not break coaching
            log.warning("knowledge search failed: %s", error)
            if unavailable is not None:
                unavailable.append(KNOWLEDGE_UNAVAILABLE)
            return []

    def _compose_passages(
        self, partners: list[str], partner_type: str, answers: dict
    ) -> list[Passage]:
        queries = list(COMPOSE_QUERIES)
        if involves_commercial_partner(partners, partner_type, answers):
            queries.append(JOINT_WORKING_QUERY)
        queries += extra_knowledge_queries(partners, partner_type, answers)
        passages: list[Passage] = []
        for query in queries:
            for passage in self._find(query, k=1):
                if passage.path not in {p.path for p in passages}:
                    passages.append(passage)
        return passages

    def _tips(
        self,
        *groups: list[Passage],
        actor: Actor | None = None,
        draft: DraftRecord | None = None,
        already: str = "",
    ) -> list[Tip]:
        """At most one tip: the first passage of `groups` this conversation has not shown yet.

        "Shown" is derived from the stored history (an earlier coach message of the draft
        contains the passage's excerpt) and from `already`, this reply's own words, so a side
        answer that quotes a passage is not followed by the same passage as a tip, and nothing
        extra has to be stored.
        """
        shown = _normalised(already)
        if actor is not None and draft is not None:
            shown += " " + self._shown_so_far(actor, draft)
        for group in groups:
            for passage in group:
                tip = Tip(excerpt(passage.text, markdown=True), citation(passage))
                fresh = _tip_key(tip) not in shown
                if tip.text and fresh and not tip.text.startswith(ILLUSTRATIVE):
                    return [tip]
        return []

    def _shown_so_far(self, actor: Actor, draft: DraftRecord) -> str:
        """Everything the coach has said in this draft's conversation, normalised for matching."""
        try:
            messages = self._store.recent_messages(actor, draft.id, limit=HISTORY_FOR_TIPS)
        except Exception as error:  # tips are a bonus: history trouble must not break a turn
            log.warning("could not read history for tips: %s", error)
            return ""
        return " ".join(_normalised(m.text) for m in messages if m.role == "coach")

    @staticmethod
    def _tip_query(asked: Question, issues: list[Issue], fallback: str, answer: str = "") -> str:
        """Search for what the answer just given needs most: information governance if it
        moves patient data, else its weakest point, else guidance for what comes next."""
        if moves_patient_data({asked.key: answer}):
            return DATA_QUERY
        if not issues:
            return fallback
        worst = min(issues, key=lambda issue: issue.severity != "major")
        return f"{asked.search} {worst.message}"

    def _history(self, actor: Actor, draft: DraftRecord) -> list[Turn]:
        return [
            Turn(m.role, m.text) for m in self._store.recent_messages(actor, draft.id, limit=12)
        ]

    @staticmethod
    def _stage_fields(key: str) -> dict:
        return {
            "stage_number": stage_number(key),
            "stage_total": len(STAGES),
            "stage_name": stage_of(key).name if key != FINAL else "Final",
        }

    def _question_reply(
        self, draft_id: str, key: str, text: str, kind: ReplyKind = "question"
    ) -> Reply:
        asked = question(key)
        return Reply(
            draft_id,
            kind,
            text,
            question=asked.prompt if asked else None,
            hint=asked.hint if asked else None,
            coach_mode=self.coach.mode,
            **self._stage_fields(key),
        )

    def _put_question(self, draft_id: str, key: str, text: str) -> Reply:
        """A stage's question, with a tip from the knowledge base on its topic."""
        reply = self._question_reply(draft_id, key, text)
        asked = question(key)
        if asked:
            reply.tips = self._tips(self._find(asked.search, k=1))
        return reply

    def _where(self, draft: DraftRecord, actor: Actor) -> Reply:
        if draft.question_key in (REVIEW, FINAL):
            latest = self._store.latest_version(actor, draft.id)
            if latest is not None:
                return Reply(
                    draft.id,
                    "draft",
                    f"**{draft.title}** — version {latest.number}, {latest.score}%."
                    + ("" if draft.question_key == FINAL else "\n\n" + REVIEW_HELP),
                    content=latest.content,
                    rubric=latest.rubric,
                    version=latest.number,
                    drafted_at=latest.created_at,
                    coach_mode=latest.coach_mode,
                    **self._stage_fields(draft.question_key),
                )
        heading = f"**{draft.title}** ({draft.id})."
        reply = self._question_reply(
            draft.id, draft.question_key, _joined(heading, _answer_list(draft))
        )
        if draft.question_key in (REVIEW, FINAL):
            reply.text = _joined(reply.text, REVIEW_HELP)
        return reply


def _answer_list(draft: DraftRecord) -> str:
    """Every answer under the question it was filed under, so a misfiling can be seen and fixed."""
    lines = [
        f"• **{q.label[0].upper()}{q.label[1:]}** ({stage_of(q.key).id}): "
        f"“{excerpt(answer, 2, 200)}”"
        for q in QUESTIONS
        if (answer := draft.answers.get(q.key, "").strip())
    ]
    if not lines:
        return ""
    kept = Flow.from_json(draft.flow).unplaced
    lines += [f"• **Not placed yet**: “{excerpt(u.text, 2, 200)}”" for u in kept]
    return "What I have so far (**edit** and a stage changes one):\n" + "\n".join(lines)


ILLUSTRATIVE = "Illustrative only"  # example statements in case files: not advice to quote
HISTORY_FOR_TIPS = 400  # messages: far more than any coaching conversation has
TIP_KEY_CHARS = 80


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _tip_key(tip: Tip) -> str:
    """The opening of a tip's excerpt: present in any message that showed the same passage."""
    return _normalised(tip.text)[:TIP_KEY_CHARS]


COACHING_HELP = (
    "Just answer in your own words: tell me as much or as little as you like, in any order, "
    "and I'll note each part under the question it answers and ask about what is missing. "
    "You can also say **skip**, **go back**, **edit** and a stage (e.g. **edit evidence**), "
    "**show me the draft**, **where are we** (your answers so far), or ask me anything, e.g. "
    "**tell me about driver diagrams**."
)
PAUSED = (
    "Paused: everything so far is saved. Message me whenever you want to carry on and we'll "
    "pick up where we left off."
)
START_NEW = (
    "This draft is saved. To start another: */new TITLE* in the console, or `/statement new` "
    "in Slack."
)
GUIDED_REVISION = (
    "Rewriting the draft to order needs the AI coach, which is not switched on here. What you "
    "can do now: **edit** and a stage (e.g. **edit evidence**) to change an answer and redraft "
    "from it, or rewrite a line yourself with **problem: …** or **hmw: …** followed by your own "
    "words."
)
REVIEW_HELP = (
    "To improve the draft: **edit** and a stage (e.g. **edit evidence**) to change an answer, "
    "**problem: …** or **hmw: …** followed by your own words to rewrite a line yourself, a "
    "question ending in ? to ask the knowledge base, or **accept** to mark it final."
)

_GREETING = re.compile(
    r"^(?:(?:hi|hello|hey|morning|good\s+\w+)\b[\s,!.]*)?(?:so[\s,]+)?"
    r"(?:this\s+is\s+(?:about|on)\s+|it'?s\s+about\s+)?",
    re.IGNORECASE,
)


def title_from(text: str, limit: int = 80) -> str:
    """A working title from what someone first said: its first line or sentence, shortened."""
    first = clean_text(text or "").strip().splitlines()[0] if (text or "").strip() else ""
    first = _GREETING.sub("", first, count=1)
    first = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(" .")
    first = first[:1].upper() + first[1:]
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0] + "…"
    return first


def _joined(*paragraphs: str) -> str:
    """Non-empty paragraphs of a reply, a blank line apart."""
    return "\n\n".join(p for p in paragraphs if p and p.strip())


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
