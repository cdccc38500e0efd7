"""The living draft card: one compact message per draft and thread, rebuilt as the draft changes.

A whole draft is about forty lines: posted on every revision it would bury the thread, and each
old copy would keep live buttons. So the card shows only what a busy reader needs — the
statement, the score, the two weakest criteria and the next step — and keeps the full draft and
scorecard one click away in a modal, and one card per draft and thread is updated in place.
Every button carries the draft id *and* the version it was drawn for, so a click on a stale card
acts on its own version or says it is out of date, never silently on a newer draft.

This module only builds Block Kit; `card_keeper.py` posts and updates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.coaching.stages import FINAL, REVIEW, STAGES, stage_number, stage_of
from bot.coaching.statement.understood import lines_from_flow
from bot.drafts.content import CriterionScore
from bot.drafts.outline import Bullets, understood_section
from bot.drafts.records import DraftRecord, VersionRecord
from bot.slack import ids
from bot.slack.blocks import (
    HOME_MAX_BLOCKS,
    MARKS,
    Block,
    button,
    context,
    draft_blocks,
    fit_blocks,
    header_with_version,
    section,
)
from bot.slack.mrkdwn import escape, to_mrkdwn

STATUS_WORDS = {"active": "In progress", "final": "Final", "archived": "Archived"}
EXCERPT_CHARS = 900  # the statement and how-might-we on a card: the whole of any sensible one


@dataclass(frozen=True)
class ButtonValue:
    """What a card button acts on: a draft, and the version the card showed (None: any)."""

    draft_id: str
    version: int | None = None

    def encode(self) -> str:
        return self.draft_id if self.version is None else f"{self.draft_id}:v{self.version}"

    @staticmethod
    def decode(value: str) -> ButtonValue:
        """Read `id:vN` (cards), `id:N` (old feedback buttons) or a bare `id` (lists, old cards)."""
        draft_id, _, version = (value or "").partition(":")
        number = version.removeprefix("v")
        return ButtonValue(draft_id, int(number) if number.isdigit() else None)


def status_words(status: str) -> str:
    """A draft status as people say it ("In progress", not "active")."""
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def stage_words(stage: str) -> str:
    """Where a draft stands, in words: "Stage 3 of 8: Evidence", never "context.topic"."""
    if stage == FINAL:
        return "Final"
    if stage == REVIEW:
        return "Reviewing the draft"
    return f"Stage {stage_number(stage)} of {len(STAGES)}: {stage_of(stage).name}"


def weakest(criteria: list[CriterionScore], count: int = 2) -> list[CriterionScore]:
    """The criteria most worth working on: lowest score first, only those not yet strong."""
    ranked = sorted(criteria, key=lambda c: c.score)
    return [c for c in ranked if c.score < 2][:count]


def next_step(draft: DraftRecord, latest: VersionRecord | None) -> str:
    """One sentence telling the reader what to do now."""
    if draft.status == "final":
        return "Export it for your partnership meeting, or share it with your partners."
    if latest is None:
        return "Answer the coach's questions in this thread; the card fills in as you go."
    if not latest.rubric.gate_passed:
        return "Remove the patient-identifiable data, then the draft can be scored again."
    gaps = weakest(latest.rubric.criteria, 1)
    if gaps and gaps[0].suggestion:
        return f"{gaps[0].name}: {gaps[0].suggestion}"
    return "When your partners agree, mark it final."


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[: EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…"


def summary_line(draft: DraftRecord, latest: VersionRecord | None) -> str:
    """Status, score and version in one line: what the channel post and the card both show.

    No stage: both are updated when a version or the status changes, not at every answer, so a
    stage shown there would soon be wrong.
    """
    parts = [f"*{status_words(draft.status)}*"]
    if latest is not None:
        parts += [f"score {latest.score}%", f"version {latest.number}"]
    else:
        parts.append("no draft yet")
    return " · ".join(parts)


def card_blocks(
    draft: DraftRecord, latest: VersionRecord | None, viewer: str | None = None
) -> list[Block]:
    """The compact card: title — vN, status and score, the statement, weakest two, next step.

    `viewer` is the one person who sees this copy (a DM, the panel, a private answer): the
    owner-only buttons are left off a collaborator's copy. None: a channel thread, seen by all.
    """
    blocks: list[Block] = [header_with_version(draft.title, latest.number if latest else None)]
    blocks.append(context(f"{summary_line(draft, latest)} · owner <@{escape(draft.owner_id)}>"))
    if latest is not None:
        content = latest.content
        statement = _excerpt(content.problem_statement) or "_Not written yet._"
        lines = [f"*Problem statement*\n{to_mrkdwn(statement)}"]
        if content.how_might_we.strip():
            lines.append(f"*How might we*\n{to_mrkdwn(_excerpt(content.how_might_we))}")
        blocks += section("\n\n".join(lines))
        gaps = weakest(latest.rubric.criteria)
        if gaps:
            listed = "\n".join(
                f"{MARKS.get(c.score, '•')} *{to_mrkdwn(c.name)}* {c.score}/2 — "
                f"{to_mrkdwn(_excerpt(c.suggestion or c.reason))}"
                for c in gaps
            )
            blocks += section(f"*Weakest points*\n{listed}")
    have = understood_section(lines_from_flow(draft.flow.get("statement")))
    if have is not None:
        items = "\n".join(
            f"• {to_mrkdwn(item)}"
            for block in have.blocks
            if isinstance(block, Bullets)
            for item in block.items
        )
        blocks += section(f"*{have.heading}*\n{items}")
    blocks += section(f"*Next step:* {to_mrkdwn(next_step(draft, latest))}")
    blocks.append(card_actions(draft, latest, viewer))
    return blocks


def card_actions(
    draft: DraftRecord, latest: VersionRecord | None, viewer: str | None = None
) -> Block:
    """Final (until it is final), Revise, Full draft, Export, Share and 👍/👎 on this version.

    Mark final and Share are the owner's: not drawn on a copy only a collaborator sees.
    """
    value = ButtonValue(draft.id, latest.number if latest else None).encode()
    owners_copy = viewer is None or viewer == draft.owner_id
    elements: list[Block] = []
    if latest is not None and draft.status != "final" and owners_copy:
        elements.append(button("Mark final", ids.DRAFT_FINAL, value, "primary"))
    if latest is not None:
        elements += [
            button("Revise", ids.DRAFT_REVISE, value),
            button("Full draft", ids.DRAFT_FULL, value),
            button("Export", ids.DRAFT_EXPORT, value),
        ]
    if owners_copy:
        elements.append(button("Share", ids.DRAFT_SHARE, value))
    if latest is not None:
        elements += [
            button("👍", ids.FEEDBACK_UP, value),
            button("👎", ids.FEEDBACK_DOWN, value),
        ]
    block_id = f"{ids.CARD_BLOCK_PREFIX}{draft.id}"  # how the keeper finds the card again
    if not elements:  # Slack refuses an empty actions block: the card keeps its marker anyway
        return {
            "type": "context",
            "block_id": block_id,
            "elements": [{"type": "mrkdwn", "text": "Buttons appear once there is a draft."}],
        }
    return {"type": "actions", "block_id": block_id, "elements": elements}


def parent_text(draft: DraftRecord, latest: VersionRecord | None) -> str:
    """The channel post that starts a thread: title, owner, status and score, kept current."""
    return (
        f":memo: *{escape(draft.title)}* — <@{escape(draft.owner_id)}> is drafting a problem "
        f"statement here. Reply in this thread to take part.\n{summary_line(draft, latest)}"
    )


def parent_blocks(draft: DraftRecord, latest: VersionRecord | None) -> list[Block]:
    return section(parent_text(draft, latest))


def full_draft_modal(
    draft: DraftRecord, version: VersionRecord, latest_number: int
) -> dict[str, Any]:
    """Every section and the whole scorecard of one version, in a modal (100 blocks there)."""
    understood = lines_from_flow(draft.flow.get("statement"))
    blocks = draft_blocks(version.content, version.rubric, version.number, understood)
    if version.number != latest_number:
        blocks.insert(
            1,
            context(
                f":hourglass: This is version {version.number}; the latest is "
                f"version {latest_number}."
            ),
        )
    return {
        "type": "modal",
        "callback_id": ids.FULL_DRAFT_VIEW,
        "title": {"type": "plain_text", "text": f"Draft v{version.number}"[:24]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": fit_blocks(blocks, HOME_MAX_BLOCKS),
    }


def shared_notice_blocks(
    draft: DraftRecord, latest: VersionRecord | None, sharer_id: str
) -> list[Block]:
    """What the person shared with receives: title, owner, score, and an Open button."""
    score = f"{latest.score}% (version {latest.number})" if latest else "no draft written yet"
    text = (
        f"<@{escape(sharer_id)}> shared a draft with you: *{to_mrkdwn(draft.title)}*\n"
        f"Owner <@{escape(draft.owner_id)}> · {status_words(draft.status)} · score {score}"
    )
    blocks = section(text)
    blocks.append(
        {
            "type": "actions",
            "block_id": f"{ids.SHARED_BLOCK_PREFIX}{draft.id}",
            "elements": [button("Open", ids.DRAFT_OPEN, draft.id, "primary")],
        }
    )
    return blocks
