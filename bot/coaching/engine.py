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
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.coaching.coach import Coach
from bot.coaching.dialogue import Dialogue, Plan
from bot.coaching.drafting import Drafting
from bot.coaching.drafts_service import DraftsService
from bot.coaching.fallback import Coaches
from bot.coaching.guided import GuidedCoach, citation
from bot.coaching.partners import partner_fit, worded_for
from bot.coaching.questions import PARTNERS, TOPIC, WHO
from bot.coaching.recogniser import shared_recogniser
from bot.coaching.reply import Reply
from bot.coaching.stages import first_key, next_key
from bot.coaching.tips import KnowledgeTips, fit_of
from bot.coaching.wording import joined, title_from
from bot.drafts.answers import AnswerStore
from bot.drafts.events import EventStore
from bot.drafts.records import Actor, DraftRecord, NewVersion, VersionRecord
from bot.drafts.repository import DraftStore, backoff_delay
from bot.errors import ConcurrentUpdate, StoreUnavailable
from bot.llm.exchange import TextSink
from bot.privacy import redact_identifiers, redact_line, redact_text
from bot.retrieval.passage import Passage
from bot.textsafety import clean_text

if TYPE_CHECKING:  # the search (chromadb, torch) is built by bot.runtime, not imported here
    from bot.retrieval.search import KnowledgeSearch

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
ANSWER_EXCERPT_CHARS = 300  # what of a knowledge answer is kept beside its 👍/👎
MAX_TURN_ATTEMPTS = 8
# A re-run turn may call a model again, so its backoff starts higher than the store's.
TURN_BACKOFF_BASE_S = 0.05
TURN_BACKOFF_CAP_S = 1.0


class Engine:
    """Coaches one draft at a time for any adapter (console, Slack, evals).

    The engine runs turns and keeps the front door; what a message means and what to say is
    `Dialogue`'s, writing a draft is `Drafting`'s, and lookups and tips are `KnowledgeTips`'.
    """

    def __init__(
        self,
        store: DraftStore,
        coach: Coach | None = None,
        search: KnowledgeSearch | None = None,
        *,
        answers: AnswerStore | None = None,
        events: EventStore | None = None,
    ) -> None:
        """Coach with `store`'s drafts; knowledge answers and Slack event claims are kept in
        their own repositories on the same database unless others are given."""
        self._store = store
        self._answers = answers or AnswerStore(store.db)
        self._events = events or EventStore(store.db)
        self.drafts = DraftsService(store, self._answers)
        # The answer recogniser shares the knowledge search's embedding model (loaded once).
        guided = GuidedCoach(shared_recogniser(search.embeddings if search else None))
        self._coaches = Coaches(guided, coach)
        self._knowledge = KnowledgeTips(store, search)
        drafting = Drafting(store, self._coaches, self._knowledge)
        self._dialogue = Dialogue(store, self._coaches, self._knowledge, drafting)

    @property
    def coach(self) -> Coach:
        """The coach this deployment chose (the guided coach when no model is configured)."""
        return self._coaches.coach

    @property
    def guided(self) -> GuidedCoach:
        """The offline coach: the default, and the stand-in whenever a model fails."""
        return self._coaches.guided

    @property
    def search(self) -> KnowledgeSearch | None:
        return self._knowledge.search

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
            answers[PARTNERS] = ", ".join(partners)
            stage = next_key(stage)
        fit = partner_fit(partner_type, partners)
        reply = self._dialogue.put_question("", stage, text="", partners=fit if fit.known else None)

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
            first.text = joined(f"New draft **{title}** ({reply.draft_id}).", first.text)
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
        return self._dialogue.where(draft, actor)

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
        said, passages = self._dialogue.answer_aside(asked, [], stream, notices)
        reply = Reply("", "answer", said.text, notices=notices, coach_mode=self.coach.mode)
        reply.tips = self._knowledge.tips(passages, already=said.text)
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
            return self._answers.record_answer(
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
        means a retry is handled once across every instance of the app. Every event also
        gives the drafts store its hourly chance to purge old conversation turns.
        """
        claimed = self._events.claim_event(event_id)
        self._store.purge_old_messages()
        return claimed

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

        def decide(draft: DraftRecord) -> Plan:
            return self._dialogue.decide(actor, draft, guarded.text, sinks.pop() if sinks else None)

        reply = self._run_turn(actor, draft_id, decide)
        if notice:
            reply.notices.insert(0, notice)
        return reply

    def back(self, actor: Actor, draft_id: str) -> Reply:
        return self._run_turn(actor, draft_id, self._dialogue.back)

    def skip(self, actor: Actor, draft_id: str) -> Reply:
        return self._run_turn(actor, draft_id, lambda d: self._dialogue.skip(actor, d))

    def edit(self, actor: Actor, draft_id: str, stage_name: str) -> Reply:
        return self._run_turn(actor, draft_id, lambda d: self._dialogue.edit(d, stage_name))

    def compose(self, actor: Actor, draft_id: str) -> Reply:
        return self._run_turn(actor, draft_id, lambda d: self._dialogue.compose(actor, d))

    def accept(self, actor: Actor, draft_id: str) -> Reply:
        return self._run_turn(actor, draft_id, lambda d: self._dialogue.accept(actor, d))

    def _run_turn(
        self, actor: Actor, draft_id: str, decide: Callable[[DraftRecord], Plan]
    ) -> Reply:
        for attempt in range(1, MAX_TURN_ATTEMPTS + 1):
            draft = self._store.get_draft(actor, draft_id)
            plan = decide(draft)
            worded_for(plan.reply, fit_of(draft, plan.answers))
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

    def _commit(self, actor: Actor, draft: DraftRecord, plan: Plan) -> Reply:
        """Write the turn (state, version, both history messages) in ONE transaction.

        A process killed mid-turn then leaves the whole turn or none of it, never an answer
        saved without the coach's reply. ConcurrentUpdate means nothing was written.
        """
        reply = plan.reply
        latest = self._store.latest_version(actor, draft.id) if plan.version else None
        if plan.version is not None and latest is not None and _same_draft(plan.version, latest):
            # "show me the draft" with nothing changed: show the version there is and store none
            # (a copy would bump every card and stale every button); a final draft stays final.
            reply.version, reply.drafted_at = latest.number, latest.created_at
            plan = replace(plan, version=None)
            if draft.status == "final":
                plan = replace(plan, status=None, question_key=None)
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
            version=plan.version,
            messages=history,
        )
        return reply

    def warm_up(self) -> None:
        """Get ready before the first user arrives (a server calls this in the background).

        Loads the knowledge index and embedding model, trains the answer recogniser, and embeds
        the lookups every conversation repeats (each question's tip search, the draft's
        queries), so a user's first turns cost what later turns cost.
        """
        self.guided.recogniser.warm_up()
        self._knowledge.warm_up()


def _same_draft(new: NewVersion, latest: VersionRecord) -> bool:
    """Whether a composed version says exactly what the latest stored one says, score included."""
    return (new.content, new.rubric) == (latest.content, latest.rubric)
