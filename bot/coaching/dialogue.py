"""The dialogue rules: what a message is, and what the coach does about it.

`Dialogue.decide` turns one message on one draft into a `Plan`: the reply and the state to write.
It reads the store but never writes it; the engine saves the plan, or re-runs the decision on
fresh state when another turn on the same draft landed first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.coaching.checklist import moves_patient_data
from bot.coaching.coach import CoachWords, Reading, ReadRequest
from bot.coaching.compose import split_partners
from bot.coaching.drafting import Drafted, Drafting
from bot.coaching.fallback import Coaches, WatchedSink
from bot.coaching.filing import (
    file_parts,
    labels,
    next_question,
    offer_back,
    says_again,
    take_back,
)
from bot.coaching.flow import Flow, Redirect
from bot.coaching.intent import Intent, classify
from bot.coaching.partners import PartnerFit
from bot.coaching.questions import (
    PARTNERS,
    TOPIC,
    WHO,
    Question,
    check_answer,
    known_question,
)
from bot.coaching.recogniser import Part, split_parts
from bot.coaching.reply import Reply, ReplyKind
from bot.coaching.stages import (
    FINAL,
    REVIEW,
    STAGES,
    first_key,
    previous_key,
    question,
    resolve_stage,
    stage_of,
)
from bot.coaching.statement.corrections import (
    Correction,
    apply_changes,
    asks_to_fix,
    describe,
    labelled_question,
    read_correction,
    read_move,
)
from bot.coaching.statement.reading import read_statement, reads_as_who
from bot.coaching.statement.understood import lines as understood_lines
from bot.coaching.tips import (
    FEEDBACK_ANSWER_CHARS,
    HISTORY_FOR_TIPS,
    TIP_CANDIDATES,
    KnowledgeTips,
    draft_partner_type,
    feedback_query,
    fit_of,
    tip_query,
)
from bot.coaching.wording import (
    COACHING_HELP,
    GUIDED_REVISION,
    PAUSED,
    REVIEW_HELP,
    START_NEW,
    answer_list,
    joined,
    question_reply,
    quoted,
    stage_fields,
    version_reply,
)
from bot.drafts.records import Actor, DraftRecord, NewVersion
from bot.drafts.repository import DraftStore
from bot.llm.exchange import TextSink, Turn
from bot.privacy import redact_text
from bot.retrieval.answer_context import NO_CONTEXT, AnswerContext
from bot.retrieval.answering import compose_in_place
from bot.retrieval.passage import Passage

# Words `edit …` may name: stage ids and the words of stage names ("edit evidence").
STAGE_WORDS = tuple(stage.id for stage in STAGES[:-1]) + tuple(
    stage.name.lower() for stage in STAGES[:-1]
)
HISTORY_FOR_COACH = 12  # messages a coach reads before it answers
ANSWER_POOL = 8  # passages a knowledge answer reads; the first three are shown and tipped


@dataclass
class Plan:
    """What a turn decided; written only once the state has been saved without conflict."""

    reply: Reply
    question_key: str | None = None  # the question to ask next, or REVIEW / FINAL
    answers: dict[str, str] | None = None
    status: str | None = None
    partners: list[str] | None = None
    flow: Flow | None = None
    version: NewVersion | None = None
    user_text: str | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def changes_state(self) -> bool:
        changed = (self.question_key, self.answers, self.status, self.partners, self.flow)
        return any(v is not None for v in changed)

    @classmethod
    def with_draft(
        cls,
        drafted: Drafted,
        *,
        answers: dict[str, str] | None = None,
        partners: list[str] | None = None,
        flow: Flow | None = None,
        notices: list[str] | None = None,
        final: bool = False,
    ) -> Plan:
        """A turn that ends in a new draft: the draft's move and version, with the turn's own
        answers and flow, and the turn's notices before the draft's."""
        return cls(
            drafted.reply,
            question_key=FINAL if final else drafted.question_key,
            answers=answers,
            status="final" if final else drafted.status,
            partners=partners,
            flow=flow,
            version=drafted.version,
            notices=[*(notices or []), *drafted.notices],
        )


class Dialogue:
    """Decides each turn: commands, answers, side questions, rewrites and revisions."""

    def __init__(
        self, store: DraftStore, coaches: Coaches, knowledge: KnowledgeTips, drafting: Drafting
    ) -> None:
        self._store = store
        self._coaches = coaches
        self._knowledge = knowledge
        self._drafting = drafting

    def decide(
        self, actor: Actor, draft: DraftRecord, text: str, stream: TextSink | None = None
    ) -> Plan:
        """Decide what the message is before anything is filed: only answers are filed."""
        plan = self._decide(actor, draft, text, stream)
        plan.user_text = text
        return self._understood(draft, text, plan)

    def _decide(self, actor: Actor, draft: DraftRecord, text: str, stream: TextSink | None) -> Plan:
        flow = Flow.from_json(draft.flow)
        if asks_to_fix(text) and flow.corrected:
            return self._fixed_already(actor, draft, flow)
        correction = read_correction(text, draft.answers)
        if correction.changes:
            return self._correct(actor, draft, correction, stream)
        moved_to = read_move(text)
        if moved_to is not None and flow.last_filed is not None:
            return self._move(actor, draft, flow, moved_to)
        intent = classify(text, stage_names=STAGE_WORDS)
        in_review = draft.question_key in (REVIEW, FINAL)
        if intent.kind == "command":
            plan = self._command(actor, draft, intent)
        elif intent.kind == "rewrite" and (in_review or self._has_version(actor, draft)):
            plan = self._rewrite(actor, draft, intent)
        elif intent.kind == "chatter":
            plan = self._chatter(draft, text)
        elif intent.kind == "question":
            plan = self._side_question(actor, draft, intent.argument or text, stream)
        elif intent.kind == "revision" and (in_review or self._has_version(actor, draft)):
            plan = self._revise(actor, draft, text)
        elif in_review:
            plan = self._late_answer(actor, draft, text)
        else:
            plan = self._answer(actor, draft, text, stream)
        return plan

    # -- what I have, corrections and moves -----------------------------------------------------
    def _understood(self, draft: DraftRecord, text: str, plan: Plan) -> Plan:
        """Keep the statement read from the answers with the flow, and show what was read.

        A question reply lists the slots this message filled; a draft carries the whole view
        (the outline draws it). The answers a message changed are remembered for one turn, so
        "no, that was the cause" can move them.
        """
        if plan.answers is None:
            if plan.reply.content is not None:
                plan.reply.understood = understood_lines(read_statement(draft.answers))
            return plan
        flow = plan.flow or Flow.from_json(draft.flow)
        statement = read_statement(plan.answers)
        changed = [k for k, v in plan.answers.items() if draft.answers.get(k) != v]
        if changed:
            asked = draft.question_key if draft.question_key not in (REVIEW, FINAL) else ""
            flow = flow.with_last_filed(Redirect(asked, text, tuple(changed)))
        plan.flow = flow.with_statement(statement.to_json())
        reply = plan.reply
        reply.understood = understood_lines(statement)
        if reply.content is None and changed:
            fresh = understood_lines(statement, only_from=changed)
            if fresh:
                listed = "\n".join(f"• {line}" for line in fresh)
                reply.text = joined(reply.text, f"What I have from that:\n{listed}")
        return plan

    def _correct(
        self, actor: Actor, draft: DraftRecord, correction: Correction, stream: TextSink | None
    ) -> Plan:
        """Change the old words everywhere they appear, say so, then file anything new."""
        answers, keys = apply_changes(draft.answers, correction.changes)
        flow = Flow.from_json(draft.flow)
        overrides = {
            name: apply_changes({name: line}, correction.changes)[0][name]
            for name, line in flow.overrides.items()
        }
        flow = replace(flow, overrides=overrides, corrected=describe(correction.changes))
        said = f"Changed: {describe(correction.changes)}, in {labels(keys)}."
        partners = split_partners(answers[PARTNERS]) if PARTNERS in keys else None
        if partners is not None:  # the partners' kind is re-derived from their new names
            flow = replace(flow, partners_renamed=True)
        corrected = replace(
            draft, answers=answers, flow=flow.to_json(), partners=partners or draft.partners
        )
        if correction.rest.strip():
            plan = self._decide(actor, corrected, correction.rest, stream)
            plan.reply.text = joined(said, plan.reply.text)
            plan.answers = plan.answers if plan.answers is not None else answers
            plan.flow = plan.flow or flow
            plan.partners = plan.partners or partners
            return plan
        in_review = draft.question_key in (REVIEW, FINAL)
        if in_review or flow.return_to_review or self._has_version(actor, draft):
            flow = replace(flow, return_to_review=False)
            drafted = self._drafting.compose(
                actor, corrected, answers=answers, flow=flow, stay=in_review, lead=said
            )
            if not in_review and not flow.return_to_review:
                drafted.question_key = None if draft.question_key == REVIEW else REVIEW
            return Plan.with_draft(drafted, answers=answers, partners=partners, flow=flow)
        reply = self._question_reply(draft.id, draft.question_key, said)
        return Plan(reply, answers=answers, partners=partners, flow=flow)

    def _fixed_already(self, actor: Actor, draft: DraftRecord, flow: Flow) -> Plan:
        """'can you fix that?' after a correction: it is done; show where."""
        said = f"Done: the draft now says {flow.corrected}, everywhere it appears."
        if self._has_version(actor, draft):
            drafted = self._drafting.compose(actor, draft, flow=flow, stay=True, lead=said)
            return Plan.with_draft(drafted, flow=flow)
        return Plan(self._question_reply(draft.id, draft.question_key, said), flow=flow)

    def _move(self, actor: Actor, draft: DraftRecord, flow: Flow, key: str) -> Plan:
        """'no, that was the cause': the last answer leaves where it was filed and goes there."""
        last = flow.last_filed
        assert last is not None  # checked by the caller
        answers = take_back(draft.answers, last)
        for asked_key in last.keys:  # what was filed under the question asked replaced it
            if answers.get(asked_key, "").strip() == last.text.strip():
                answers.pop(asked_key, None)
        existing = answers.get(key, "").strip()
        answers[key] = f"{existing} {last.text}".strip() if existing else last.text
        flow = flow.with_last_filed(Redirect("", last.text, (key,))).answered(key)
        moved = known_question(key).label
        said = f"Moved: I've put that under {moved} instead."
        moved_draft = replace(draft, answers=answers)
        if draft.question_key in (REVIEW, FINAL) or self._has_version(actor, draft):
            drafted = self._drafting.compose(
                actor, moved_draft, answers=answers, flow=flow, stay=True, lead=said
            )
            return Plan.with_draft(drafted, answers=answers, flow=flow)
        following = next_question(answers, flow)
        reply = self._question_reply(draft.id, following, said)
        return Plan(reply, question_key=following, answers=answers, flow=flow)

    # -- the commands adapters also offer as buttons --------------------------------------------
    def back(self, draft: DraftRecord) -> Plan:
        return self._go(draft, previous_key(draft.question_key))

    def skip(self, actor: Actor, draft: DraftRecord) -> Plan:
        if draft.question_key in (REVIEW, FINAL):
            return Plan(self.where(draft, actor))
        flow = Flow.from_json(draft.flow).with_skip(draft.question_key)
        if flow.return_to_review:
            flow = replace(flow, return_to_review=False)
            following, lead = REVIEW, "Kept as it was."
        else:
            following, lead = next_question(draft.answers, flow), "Skipped."
        if following == REVIEW:
            drafted = self._drafting.compose(actor, draft, flow=flow, stay=False, lead=lead)
            return Plan.with_draft(drafted, flow=flow)
        offered, flow = flow.take_unplaced(following)
        skipped = stage_of(draft.question_key).id
        lead = f"Skipped for now: **edit {skipped}** brings it back."
        reply = self._question_reply(draft.id, following, joined(lead, offer_back(offered)))
        return Plan(reply, question_key=following, flow=flow)

    def edit(self, draft: DraftRecord, name: str) -> Plan:
        key = resolve_stage(name)
        if key is None:
            names = ", ".join(stage.id for stage in STAGES[:-1])
            return Plan(
                Reply(draft.id, "error", f"I don't know the stage “{name}”. Try one of: {names}.")
            )
        return self._go(draft, key)

    def compose(self, actor: Actor, draft: DraftRecord) -> Plan:
        return Plan.with_draft(self._drafting.compose(actor, draft, stay=True))

    def accept(self, actor: Actor, draft: DraftRecord) -> Plan:
        if not draft.owned_by(actor):
            return Plan(Reply(draft.id, "error", "Only the draft's owner can mark it final."))
        latest = self._store.latest_version(actor, draft.id)
        if latest is None:
            drafted = self._drafting.compose(actor, draft, stay=False, lead="Accepted.")
            return Plan.with_draft(drafted, final=True)
        said = (
            f"Marked final: version {latest.number}, scoring {latest.score}%. "
            "Export it for your partnership meeting."
        )
        reply = version_reply(draft.id, latest, said, FINAL)
        return Plan(reply, question_key=FINAL, status="final")

    # -- what the coach says outside the turn's decisions ---------------------------------------
    def where(self, draft: DraftRecord, actor: Actor) -> Reply:
        """Where a draft stands: its latest version at the review, else its answers so far."""
        if draft.question_key in (REVIEW, FINAL):
            latest = self._store.latest_version(actor, draft.id)
            if latest is not None:
                said = f"**{draft.title}** — version {latest.number}, {latest.score}%." + (
                    "" if draft.question_key == FINAL else "\n\n" + REVIEW_HELP
                )
                return version_reply(draft.id, latest, said, draft.question_key)
        heading = f"**{draft.title}** ({draft.id})."
        reply = self._question_reply(
            draft.id, draft.question_key, joined(heading, answer_list(draft))
        )
        if draft.question_key in (REVIEW, FINAL):
            reply.text = joined(reply.text, REVIEW_HELP)
        return reply

    def put_question(
        self, draft_id: str, key: str, text: str, partners: PartnerFit | None = None
    ) -> Reply:
        """A stage's question, with a tip from the knowledge base on its topic (one that fits
        the `partners` a form named)."""
        reply = self._question_reply(draft_id, key, text)
        asked = question(key)
        if asked:
            found = self._knowledge.find(asked.search, k=TIP_CANDIDATES if partners else 1)
            reply.tips = self._knowledge.tips(found, partners=partners)
        return reply

    def answer_aside(
        self,
        asked: str,
        history: list[Turn],
        stream: TextSink | None,
        notices: list[str],
        context: AnswerContext = NO_CONTEXT,
    ) -> tuple[CoachWords, list[Passage]]:
        """A knowledge-base question, inside a draft or outside: a short cited answer composed
        from the best passages (bot.retrieval.answering), which a model may reword."""
        pool = self._knowledge.find(context.query(asked), k=ANSWER_POOL, unavailable=notices)
        found = compose_in_place(asked, pool, self._knowledge.search, context=context, shown=3)
        passages = list(found.passages)
        sink = WatchedSink(stream)
        said = self._coaches.run(
            notices,
            lambda c: c.side_answer(
                asked, passages, history, stream=sink.until_used(), answer=found
            ),
        )
        return said, passages

    # -- decisions ------------------------------------------------------------------------------
    def _command(self, actor: Actor, draft: DraftRecord, intent: Intent) -> Plan:
        name = intent.command
        if name == "back":
            return self.back(draft)
        if name == "skip":
            return self.skip(actor, draft)
        if name == "draft":
            return self.compose(actor, draft)
        if name == "accept":
            return self.accept(actor, draft)
        if name == "edit":
            return self.edit(draft, intent.argument)
        if name in ("help", "cancel", "new"):
            text = {"help": COACHING_HELP, "cancel": PAUSED, "new": START_NEW}[name]
            reply = self._question_reply(draft.id, draft.question_key, text, kind="info")
            if draft.question_key in (REVIEW, FINAL) or name != "help":
                reply.question = reply.hint = None
            return Plan(reply)
        return Plan(self.where(draft, actor))

    def _chatter(self, draft: DraftRecord, text: str) -> Plan:
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
            return Plan(
                Reply(draft.id, "info", f"{said} {after}", **stage_fields(draft.question_key))
            )
        reply = self._question_reply(draft.id, draft.question_key, f"{said} Whenever you're ready:")
        reply.kind = "info"
        return Plan(reply)

    def _has_version(self, actor: Actor, draft: DraftRecord) -> bool:
        return self._store.latest_version(actor, draft.id) is not None

    def _recognise(self, text: str, asked: str | None, notices: list[str]) -> list[Part]:
        """What each part of the message answers (the LLM coach may do this with its model)."""
        parts, _usage = self._coaches.run(notices, lambda c: c.recognise(text, asked))
        if not parts:  # a model that found nothing in the words: the offline recogniser reads them
            parts, _usage = self._coaches.guided.recognise(text, asked)
        return parts

    def _read(
        self,
        draft: DraftRecord,
        text: str,
        asked: Question,
        history: list[Turn],
        notices: list[str],
        stream: TextSink | None,
    ) -> tuple[Reading, list[Passage]]:
        """What each part of the message answers, and, from an LLM coach, feedback on it in the
        same call (one model call a turn): its feedback lookup is made before the call, from
        the message, since the model reads and coaches at once. The lookup's meaning side is
        the question's topic (embedded at warm-up) and its word side the whole message: the
        model reads the message itself, so no embedding is spent on it."""
        if self._coaches.mode != "llm":
            return Reading(self._recognise(text, asked.key, notices)), []
        passages = self._knowledge.find(feedback_query(asked, text), k=2, meaning_of=[asked.search])
        request = ReadRequest(
            text,
            asked,
            check_answer(asked.key, text),
            passages,
            history,
            fit_of(draft).describe(),
        )
        sink = WatchedSink(stream)
        reading = self._coaches.run(notices, lambda c: c.read(request, sink.until_used()))
        if not reading.parts:  # a model that found nothing: the offline recogniser reads them
            reading.parts, _usage = self._coaches.guided.recognise(text, asked.key)
        return reading, passages

    def _answer(
        self, actor: Actor, draft: DraftRecord, text: str, stream: TextSink | None = None
    ) -> Plan:
        """File each part of the message where it belongs, then ask what is still missing."""
        asked = question(draft.question_key)
        if asked is None:  # a stage this version does not know: start again safely
            return self._go(draft, first_key())
        notices: list[str] = []
        before = Flow.from_json(draft.flow)
        # Read once a turn: the coach reads the conversation's end, the tips all of it.
        conversation = self._conversation(actor, draft)
        history = conversation[-HISTORY_FOR_COACH:]
        reading, read_with = Reading([]), list[Passage]()
        if before.redirect is not None and says_again(text, before.redirect, asked.key):
            # The same words again after "that sounds like …": they answer the question asked.
            answers_before = take_back(draft.answers, before.redirect)
            parts = [Part(text, (asked.key,), 1.0, asked.key)]
            insisted = f"Understood: I've kept that as {asked.label}."
        else:
            answers_before = draft.answers
            self._knowledge.embed_together(
                self._coaches.mode,
                split_parts(text),
                tip_query(asked, check_answer(asked.key, text), "", text),
            )
            reading, read_with = self._read(draft, text, asked, history, notices, stream)
            parts = [ahead_of_topic(by_label(part), asked.key) for part in reading.parts]
            insisted = ""
        filing = file_parts(answers_before, before.with_redirect(None), parts, asked.key)
        answers, flow = filing.answers, filing.flow
        partners = None
        if PARTNERS in filing.filed and (not draft.partners or asked.key == PARTNERS):
            partners = split_partners(answers[PARTNERS])
            if draft.partners and partners != draft.partners:
                # A new answer to the partners question (after "edit partners") names them
                # afresh: the draft shows the new names and their kind is re-derived.
                flow = replace(flow, partners_renamed=True)
                draft = replace(draft, partners=partners, flow=flow.to_json())
        elsewhere = [key for key in filing.keys if key != asked.key]
        if not filing.answered(asked.key):
            # It fitted other questions: filed there, and the question asked is asked again.
            lead = f"That sounds like {labels(elsewhere)}; I've put it there."
            if filing.rich:
                return self._first_draft(actor, draft, answers, flow, partners, lead, notices)
            lead += " If you meant it for this question, send it again and I'll keep it here."
            flow = flow.with_redirect(Redirect(asked.key, text, tuple(elsewhere)))
            offered, flow = flow.take_unplaced(asked.key)
            reply = self._question_reply(draft.id, asked.key, joined(lead, offer_back(offered)))
            # a misplaced answer is when guidance on what the question means helps
            reply.tips = self._knowledge.tips(
                self._knowledge.find(asked.search, k=1), actor=actor, draft=draft
            )
            return Plan(reply, answers=answers, partners=partners, flow=flow, notices=notices)
        if filing.rich and not flow.return_to_review:
            lead = f"Thank you: that's a lot to work with. I've noted {labels(filing.keys)}."
            flow = flow.answered(asked.key)
            return self._first_draft(actor, draft, answers, flow, partners, lead, notices)
        answer = answers[asked.key]
        issues = check_answer(asked.key, answer)
        if reading.feedback is not None:  # the model coached on the answer as it read it
            said, passages = reading.feedback, read_with
        else:
            passages = self._knowledge.find(
                feedback_query(asked, answer),
                k=2,
                meaning_of=[asked.search, *split_parts(answer[:FEEDBACK_ANSWER_CHARS])],
            )
            # A model that read this message and wrote no feedback failed (the guided coach
            # read it) or left it empty: the guided coach's feedback, never a second model call.
            if self._coaches.mode == "llm" and not insisted:
                said = self._coaches.guided.feedback(asked, answer, issues, passages, history)
            else:
                said = self._coaches.run(
                    notices,
                    lambda c: c.feedback(asked, answer, issues, passages, history, stream=stream),
                )
        if insisted:
            said = replace(said, text=joined(insisted, said.text))
        also = f"Also noted {labels(elsewhere)}." if elsewhere else ""
        if any(issue.severity == "major" for issue in issues) and flow.tried(asked.key) == 0:
            flow = flow.with_attempt(asked.key)
            retry = "Try a new version of your answer, or say **skip** to keep this one."
            reply = self._question_reply(draft.id, asked.key, joined(said.text, also, retry))
            tips_for = tip_query(asked, issues, asked.search, text)
            reply.tips = self._knowledge.tips(
                self._knowledge.find(tips_for, k=TIP_CANDIDATES),
                passages,
                draft=draft,
                answers=answers,
                history=conversation,
            )
            return Plan(reply, answers=answers, partners=partners, flow=flow, notices=notices)
        flow = flow.answered(asked.key)
        if flow.return_to_review:
            flow = replace(flow, return_to_review=False)
            following = REVIEW
        else:
            following = next_question(answers, flow)
        if following == REVIEW:
            drafted = self._drafting.compose(
                actor, draft, answers=answers, flow=flow, stay=False, lead=joined(said.text, also)
            )
            return Plan.with_draft(
                drafted, answers=answers, partners=partners, flow=flow, notices=notices
            )
        offered, flow = flow.take_unplaced(following)
        reply = self._question_reply(
            draft.id, following, joined(said.text, also, offer_back(offered))
        )
        if issues or moves_patient_data({asked.key: answer}):
            # Quiet by default: a sound answer moves on without a tip; a weak one, or one that
            # moves patient data (information governance), gets the guidance that helps.
            ahead = fit_of(draft, answers).question_search(
                following, known_question(following).search
            )
            found = self._knowledge.find(tip_query(asked, issues, ahead, text), k=TIP_CANDIDATES)
            reply.tips = self._knowledge.tips(
                found,
                passages,
                draft=draft,
                already=said.text,
                answers=answers,
                history=conversation,
            )
        return Plan(
            reply,
            question_key=following,
            answers=answers,
            partners=partners,
            flow=flow,
            notices=notices,
        )

    def _late_answer(self, actor: Actor, draft: DraftRecord, text: str) -> Plan:
        """New information after the draft: filed, then redrafted; anything else is a rewrite."""
        notices: list[str] = []
        parts = self._recognise(text, None, notices)
        filing = file_parts(draft.answers, Flow.from_json(draft.flow), parts, None)
        if not filing.filed:
            return self._revise(actor, draft, text)
        lead = f"Noted {labels(filing.keys)}; here is the draft with it."
        drafted = self._drafting.compose(
            actor, draft, answers=filing.answers, flow=filing.flow, stay=True, lead=lead
        )
        return Plan.with_draft(drafted, answers=filing.answers, flow=filing.flow, notices=notices)

    def _first_draft(
        self,
        actor: Actor,
        draft: DraftRecord,
        answers: dict[str, str],
        flow: Flow,
        partners: list[str] | None,
        lead: str,
        notices: list[str],
    ) -> Plan:
        """A long story: a draft and scorecard at once, then the weakest criterion's question."""
        drafted = self._drafting.compose(
            actor, draft, answers=answers, flow=flow, stay=True, lead=lead, ask_next=True
        )
        return Plan.with_draft(
            drafted, answers=answers, partners=partners, flow=flow, notices=notices
        )

    def _go(self, draft: DraftRecord, key: str) -> Plan:
        current = draft.answers.get(key, "")
        lead = f"Your answer so far: “{quoted(current, 3, 400)}”" if current else ""
        reply = self._question_reply(draft.id, key, lead)
        if current:
            reply.text += "\n\nSend a new answer to replace it, or **skip** to keep it."
        status = "active" if draft.status == "final" else None
        flow = None
        if draft.question_key in (REVIEW, FINAL):
            flow = replace(Flow.from_json(draft.flow), return_to_review=True)
            reply.text += "\n\nAfter this answer I'll take you straight back to the draft."
        return Plan(reply, question_key=key, status=status, flow=flow)

    def _side_question(
        self, actor: Actor, draft: DraftRecord, text: str, stream: TextSink | None = None
    ) -> Plan:
        asked = text.lstrip("? ").strip()
        notices: list[str] = []
        # "the company" is this draft's partner: the question is read in the draft's context
        context = AnswerContext.for_draft(
            draft_partner_type(draft),
            [*draft.partners, draft.answers.get(PARTNERS, "")],
            draft.answers.get(TOPIC, ""),
            draft.title,
        )
        said, passages = self.answer_aside(
            asked, self._history(actor, draft), stream, notices, context
        )
        reply = self._question_reply(draft.id, draft.question_key, said.text, kind="answer")
        reply.tips = self._knowledge.tips(passages, actor=actor, draft=draft, already=said.text)
        if draft.question_key in (REVIEW, FINAL):
            reply.question = None
        else:
            reply.text += "\n\nBack to where we were:"
        return Plan(reply, notices=notices)

    def _rewrite(self, actor: Actor, draft: DraftRecord, intent: Intent) -> Plan:
        """`problem: …` or `hmw: …`: the user's own words replace that line of the draft."""
        name = "how_might_we" if intent.command in ("hmw", "how might we") else "problem_statement"
        new_text = intent.argument
        if name == "how_might_we" and not new_text.lower().startswith("how might we"):
            new_text = "How might we " + new_text[0].lower() + new_text[1:]
        flow = Flow.from_json(draft.flow).with_override(name, redact_text(new_text))
        drafted = self._drafting.compose(actor, draft, flow=flow, stay=True, lead="Updated.")
        return Plan.with_draft(drafted, flow=flow)

    def _revise(self, actor: Actor, draft: DraftRecord, text: str) -> Plan:
        """A request to change the draft: the model rewrites it; without one, say what can."""
        if self._coaches.mode == "llm":
            return Plan.with_draft(
                self._drafting.compose(actor, draft, stay=True, instruction=text)
            )
        reply = Reply(draft.id, "info", GUIDED_REVISION, **stage_fields(draft.question_key))
        if draft.question_key not in (REVIEW, FINAL):
            asked = question(draft.question_key)
            reply.question = asked.prompt if asked else None
        return Plan(reply)

    def _conversation(self, actor: Actor, draft: DraftRecord) -> list[Turn]:
        """The whole conversation so far (what the tips must not repeat), oldest first."""
        messages = self._store.recent_messages(actor, draft.id, limit=HISTORY_FOR_TIPS)
        return [Turn(m.role, m.text) for m in messages]

    def _history(self, actor: Actor, draft: DraftRecord) -> list[Turn]:
        messages = self._store.recent_messages(actor, draft.id, limit=HISTORY_FOR_COACH)
        return [Turn(m.role, m.text) for m in messages]

    def _question_reply(
        self, draft_id: str, key: str, text: str, kind: ReplyKind = "question"
    ) -> Reply:
        return question_reply(draft_id, key, text, self._coaches.mode, kind)


def ahead_of_topic(part: Part, asked: str) -> Part:
    """A group and its head count given when the topic was asked ("Women having labour induced
    at Fairmead, about 1,400 a year") answers "who is affected?" one step ahead: filed there,
    so the user is told where it went and the topic is asked again, rather than filed as the
    topic in silence and the same thing asked next."""
    if asked != TOPIC or set(part.keys) - {TOPIC} or not reads_as_who(part.text):
        return part
    return Part(part.text, (WHO,), part.confidence, WHO)


def by_label(part: Part) -> Part:
    """A part the user labelled ("Also, on why it matters: …") is filed where the label says."""
    key = labelled_question(part.text)
    if key is None or part.keys == (key,):
        return part
    return Part(part.text, (key,), max(part.confidence, 0.9), key)
