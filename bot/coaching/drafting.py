"""Drafting: write, guard, score and version a draft from its answers, for one turn.

`Drafting.compose` returns a `Drafted`: the reply that shows the draft, where the conversation
goes next and the `NewVersion` to store. It writes nothing; the turn merges it into its plan and
saves everything in one transaction, so a failed save leaves no orphan version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.coaching.coach import Coach, DraftRequest
from bot.coaching.compose import split_partners
from bot.coaching.fallback import Coaches
from bot.coaching.filing import next_question
from bot.coaching.flow import Flow
from bot.coaching.questions import PARTNERS
from bot.coaching.reply import Reply
from bot.coaching.rubric import score_draft
from bot.coaching.stages import FINAL, REVIEW, question
from bot.coaching.statement.reading import (
    answers_as_read,
    read_statement,
    solutions_held_back,
)
from bot.coaching.statement.understood import for_prompt
from bot.coaching.tips import KnowledgeTips, draft_partner_type
from bot.coaching.wording import review_lead, stage_fields
from bot.drafts.content import DraftContent, RubricScore
from bot.drafts.records import Actor, DraftRecord, NewVersion
from bot.drafts.repository import DraftStore
from bot.llm.exchange import Usage
from bot.privacy import redact_identifiers, redact_model


@dataclass
class Drafted:
    """A composed draft waiting for its turn to be saved."""

    reply: Reply
    question_key: str | None  # where the conversation goes; None when it stays where it is
    status: str | None  # "active" when a final draft is redrafted, else unchanged
    version: NewVersion
    notices: list[str] = field(default_factory=list)


class Drafting:
    """Composes drafts with the configured coach (the guided coach standing in on failure)."""

    def __init__(self, store: DraftStore, coaches: Coaches, knowledge: KnowledgeTips) -> None:
        self._store = store
        self._coaches = coaches
        self._knowledge = knowledge

    def compose(
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
    ) -> Drafted:
        """Write, score and version the draft from the answers so far.

        With `stay`, the conversation keeps its place (a draft asked for mid-way); without it,
        it moves to the review. With `ask_next`, it moves on to the open question behind the
        weakest criterion (after a long first message), or to the review when none is open.
        """
        answers = dict(answers if answers is not None else draft.answers)
        flow = flow or Flow.from_json(draft.flow)
        partners = draft.partners or split_partners(answers.get(PARTNERS, ""))
        partner_type = draft_partner_type(draft, answers, flow)
        passages = self._knowledge.for_draft(partners, partner_type, answers)
        latest = self._store.latest_version(actor, draft.id) if instruction else None
        request = DraftRequest(
            title=draft.title,
            partners=partners,
            partner_type=partner_type,
            answers=answers,
            passages=passages,
            previous=latest.content if latest else None,
            instruction=instruction,
            understood=for_prompt(read_statement(answers)),
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
            as_read = answers_as_read(answers)  # scored as understood, without the chat
            deterministic = score_draft(
                content, as_read, pii_found=pii, solutions_held=solutions_held_back(answers)
            )
            rubric, used = coach.score(content, as_read, deterministic)
            usage.add(used)
            coach_used.append(coach)
            return content, redact_model(rubric)

        content, rubric = self._coaches.run(notices, write)
        coach = coach_used[-1]
        stage = draft.question_key if stay else REVIEW
        if stay and draft.question_key == FINAL:
            stage = REVIEW
        if ask_next:
            stage = next_question(answers, flow, rubric)
        text = lead + ("\n\n" if lead else "") + review_lead(rubric, stage)
        reply = Reply(
            draft.id,
            "draft",
            text,
            content=content,
            rubric=rubric,
            coach_mode=coach.mode,
            **stage_fields(stage),
        )
        if stay and stage not in (REVIEW, FINAL):
            asked = question(stage)
            reply.question = asked.prompt if asked else None
            reply.hint = asked.hint if asked else None
        version = NewVersion(
            content,
            rubric,
            coach.mode,
            coach.model,
            dict(coach.prompt_versions),
            usage.prompt_tokens,
            usage.completion_tokens,
        )
        return Drafted(
            reply,
            question_key=None if stage == draft.question_key else stage,
            status="active" if draft.status == "final" else None,
            version=version,
            notices=notices,
        )
