"""Knowledge tips: what the coach looks up in the knowledge base during a turn, and which passage
it offers as a tip.

Search is a bonus to coaching, never a condition of it: every lookup here returns nothing rather
than fail a turn, and says so only where the user asked the knowledge base directly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.coaching.checklist import moves_patient_data
from bot.coaching.checks import Issue
from bot.coaching.flow import Flow
from bot.coaching.guided import citation, excerpt
from bot.coaching.partners import PartnerFit, partner_fit, standing_partner_type
from bot.coaching.questions import PARTNERS, QUESTIONS, Question
from bot.coaching.reply import Tip
from bot.coaching.wording import KNOWLEDGE_UNAVAILABLE
from bot.drafts.records import Actor, DraftRecord
from bot.drafts.repository import DraftStore
from bot.llm.exchange import Turn
from bot.privacy import redact_text
from bot.retrieval.passage import Passage

if TYPE_CHECKING:  # the search (chromadb, torch) is built by bot.runtime, not imported here
    from bot.retrieval.search import KnowledgeSearch

log = logging.getLogger(__name__)

FEEDBACK_ANSWER_CHARS = 300  # what of an answer the feedback lookup reads
COMPOSE_QUERIES = ("what makes a high-quality problem statement",)
VALUE_QUERY = "value proposition for each party jobs pains gains"
# The guidance a draft must cite for the partners it has and the data it moves.
JOINT_WORKING_QUERY = "joint working written agreement public summary exit strategy"
TRIPLE_WIN_QUERY = "value proposition for each party triple win"
PARTNERSHIP_AGREEMENT_QUERY = "what a partnership agreement contains exit strategy governance"
DIGITAL_QUERY = "digital partner DTAC clinical safety DCB0129 DCB0160 evidence standards"
DATA_QUERY = "information governance lawful basis controller processor data sharing agreement DPIA"
TIP_CANDIDATES = 6  # passages a tip lookup fetches, so one that fits the partners is among them
ILLUSTRATIVE = "Illustrative only"  # example statements in case files: not advice to quote
HISTORY_FOR_TIPS = 400  # messages: far more than any coaching conversation has
TIP_KEY_CHARS = 80


class KnowledgeTips:
    """The knowledge search as a turn uses it: lookups, a draft's sources and one fresh tip."""

    def __init__(self, store: DraftStore, search: KnowledgeSearch | None) -> None:
        self._store = store
        self.search = search

    def warm_up(self) -> None:
        """Load the index and model, and embed the lookups every conversation repeats."""
        if self.search is None:
            return
        self.search.warm_up()
        static = [q.search for q in QUESTIONS] + [
            *COMPOSE_QUERIES,
            VALUE_QUERY,
            JOINT_WORKING_QUERY,
            TRIPLE_WIN_QUERY,
            PARTNERSHIP_AGREEMENT_QUERY,
            DIGITAL_QUERY,
            DATA_QUERY,
        ]
        self.search.embeddings.embed_documents(static)

    def find(
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

    def embed_together(self, coach_mode: str, *texts: str | list[str]) -> None:
        """Embed a turn's new texts in one batch, before anything asks for them one at a time.

        A guided turn embeds the message's parts (the recogniser) and the lookup for a tip on
        its weakest point; the feedback lookup reuses the parts' vectors (`meaning_of`). On a
        CPU one batched call costs little more than one text, and the embeddings' cache then
        answers every lookup. Only a speed-up: on any failure the lookups embed for themselves,
        and an LLM coach (which reads parts with its model) skips it.
        """
        if self.search is None or coach_mode == "llm":
            return
        batch = [t for item in texts for t in ([item] if isinstance(item, str) else item) if t]
        try:
            self.search.embeddings.embed_documents(batch)
        except Exception as error:  # the lookups that follow report their own failures
            log.debug("batched embedding skipped: %s", error)

    def for_draft(
        self, partners: list[str], partner_type: str, answers: dict[str, str]
    ) -> list[Passage]:
        """The passages a draft is written with: quality guidance, plus what its partners need.

        The industry's rules and its "triple win" only for a pharmaceutical partner, digital
        assurance only for a digital or medtech one, and nothing written for another kind of
        partner (a council's draft cites no ABPI guidance).
        """
        fit = partner_fit(partner_type, partners, answers)
        queries = draft_queries(fit, answers)
        passages: list[Passage] = []
        for query in queries:
            for passage in fit.choose(self.find(query, k=3))[:1]:
                if passage.path not in {p.path for p in passages}:
                    passages.append(passage)
        return passages

    def tips(
        self,
        *groups: list[Passage],
        actor: Actor | None = None,
        draft: DraftRecord | None = None,
        already: str = "",
        answers: Mapping[str, str] | None = None,
        history: Sequence[Turn] | None = None,
        partners: PartnerFit | None = None,
    ) -> list[Tip]:
        """At most one tip: the first passage of `groups` that fits the draft's partners and
        this conversation has not shown yet.

        "Fits" is the draft's `PartnerFit` (its partner type and the partners named, in
        `answers` when this turn has just given them): no ABPI guidance for a council. Within
        a group a passage about these very partners comes first. "Shown" is derived from the
        stored history (an earlier coach message of the draft contains the passage's excerpt)
        and from `already`, this reply's own words, so a side answer that quotes a passage is
        not followed by the same passage as a tip, and nothing extra has to be stored. A turn
        that has read the conversation already passes it as `history` (one read a turn), and
        one with no draft yet (its first question) passes the `partners` the form named.
        """
        fit = partners or fit_of(draft, answers)
        shown = _normalised(already)
        if history is not None:
            shown += " " + " ".join(_normalised(t.text) for t in history if t.role == "coach")
        elif actor is not None and draft is not None:
            shown += " " + self._shown_so_far(actor, draft)
        for group in groups:
            for passage in fit.choose(group):
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


def fit_of(draft: DraftRecord | None, answers: Mapping[str, str] | None = None) -> PartnerFit:
    """The partner fit of a draft, with this turn's `answers` (partners just named) if given."""
    if draft is None:
        return partner_fit(answers=answers)
    named = answers if answers is not None and answers.get(PARTNERS) else draft.answers
    return partner_fit(draft_partner_type(draft, named), draft.partners, named)


def draft_partner_type(
    draft: DraftRecord, answers: Mapping[str, str] | None = None, flow: Flow | None = None
) -> str:
    """The draft's form partner type while it still stands (see `standing_partner_type`)."""
    renamed = (flow or Flow.from_json(draft.flow)).partners_renamed
    named = answers if answers is not None else draft.answers
    return standing_partner_type(draft.partner_type, renamed, draft.partners, named)


def draft_queries(fit: PartnerFit, answers: Mapping[str, str]) -> list[str]:
    """What a draft looks up for its sources, for these partners and the data the answers move."""
    queries = list(COMPOSE_QUERIES)
    queries.append(TRIPLE_WIN_QUERY if fit.medicines_rules or not fit.known else VALUE_QUERY)
    if fit.medicines_rules:
        queries.append(JOINT_WORKING_QUERY)
    elif fit.known:
        queries.append(PARTNERSHIP_AGREEMENT_QUERY)
    if fit.digital_rules:
        queries.append(DIGITAL_QUERY)
    if moves_patient_data(answers):
        queries.append(DATA_QUERY)
    return queries


def tip_query(asked: Question, issues: list[Issue], fallback: str, answer: str = "") -> str:
    """Search for what the answer just given needs most: information governance if it
    moves patient data, else its weakest point, else guidance for what comes next."""
    if moves_patient_data({asked.key: answer}):
        return DATA_QUERY
    if not issues:
        return fallback
    worst = min(issues, key=lambda issue: issue.severity != "major")
    return f"{asked.search} {worst.message}"


def feedback_query(asked: Question, answer: str) -> str:
    """What to look up for feedback on an answer: the question's topic and the answer."""
    return f"{asked.search} {answer[:FEEDBACK_ANSWER_CHARS]}"


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _tip_key(tip: Tip) -> str:
    """The opening of a tip's excerpt: present in any message that showed the same passage."""
    return _normalised(tip.text)[:TIP_KEY_CHARS]
