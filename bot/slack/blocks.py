"""Block Kit for coach replies, drafts and App Home, within Slack's limits.

Everything a person sees in Slack is built here from the engine's structured `Reply`, so the
listeners stay thin. Limits respected: section text 3,000 characters, header 150, 50 blocks a
message (100 in App Home), button values 2,000.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from bot.coaching.reply import Reply
from bot.drafts.content import Citation, DraftContent, RubricScore
from bot.drafts.outline import Bullets, Paragraph, Scores, Sources, Table, outline
from bot.slack import ids
from bot.slack.mrkdwn import TEXT_LIMIT, escape, split_text, to_mrkdwn

Block = dict[str, Any]
MAX_BLOCKS = 50
HOME_MAX_BLOCKS = 100
MARKS = {2: "✅", 1: "🟡", 0: "❌"}


def section(text: str) -> list[Block]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in split_text(text)
    ]


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def header_with_version(title: str, version: int | None, limit: int = 150) -> Block:
    """A header that is cut on a word, never mid-word, and always keeps its "— vN"."""
    suffix = f" — v{version}" if version else ""
    room = limit - len(suffix)
    if len(title) > room:
        cut = title[: room - 1]
        if " " in cut.strip():
            cut = cut.rstrip().rsplit(" ", 1)[0]
        title = cut.rstrip(" ,;:-—") + "…"
    return header(title + suffix)


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    return element


def reply_head(reply: Reply) -> list[Block]:
    """What a turn says first: notices, where the conversation stands, the coach's words."""
    blocks: list[Block] = []
    for notice in reply.notices:
        blocks.append(context(f":warning: {to_mrkdwn(notice)}"))
    if reply.progress:
        blocks.append(context(f"*{reply.progress}*"))
    if reply.text:
        blocks += section(to_mrkdwn(reply.text))
    return blocks


def reply_tail(reply: Reply) -> list[Block]:
    """What a turn says last: a tip from the knowledge base, then the next question."""
    blocks: list[Block] = []
    for tip in reply.tips:
        blocks.append(context(f":bulb: {to_mrkdwn(tip.text)}\n{cited(tip.citation)}"))
    if reply.question:
        blocks += section(f"*{to_mrkdwn(reply.question)}*")
        if reply.hint:
            blocks.append(context(to_mrkdwn(reply.hint)))
    return blocks


def reply_blocks(reply: Reply, note: str = "") -> list[Block]:
    """A coach turn without the draft itself (the draft lives on its card, `cards.py`).

    `note` says where the draft went, e.g. that the card above now shows a new version. A kept
    knowledge answer ends with its 👍/👎, which the block limit never cuts off.
    """
    middle = [context(note)] if note else []
    if reply.answer_id is None:
        return fit_blocks([*reply_head(reply), *middle, *reply_tail(reply)], MAX_BLOCKS)
    said = fit_blocks([*reply_head(reply), *middle, *reply_tail(reply)], MAX_BLOCKS - 1)
    return [*said, answer_feedback_block(reply.answer_id)]


@dataclasses.dataclass(frozen=True)
class AnswerVote:
    """What a feedback button under a knowledge answer says: which kept answer, and +1 or -1.

    The value holds only the answer's id (the question itself may be 4,000 characters, and a
    button value holds 2,000); the store checks the id against where the click came from.
    """

    answer_id: int
    value: int

    def encode(self) -> str:
        return f"{self.answer_id}:{'up' if self.value > 0 else 'down'}"

    @staticmethod
    def decode(value: str) -> AnswerVote | None:
        """The vote in a button value, or None for anything this app did not draw."""
        answer_id, _, vote = (value or "").partition(":")
        if not answer_id.isascii() or not answer_id.isdigit() or vote not in ("up", "down"):
            return None
        return AnswerVote(int(answer_id), 1 if vote == "up" else -1)


def answer_feedback_block(answer_id: int) -> Block:
    """Slack's own feedback buttons (`context_actions` with `feedback_buttons`, as Slack's AI-app
    guidelines and its assistant template use): small, under the answer, and shown as pressed by
    Slack itself, so a second click simply changes the vote."""

    def choice(text: str, label: str, value: int) -> Block:
        return {
            "text": {"type": "plain_text", "text": text},
            "accessibility_label": label,
            "value": AnswerVote(answer_id, value).encode(),
        }

    return {
        "type": "context_actions",
        "block_id": ids.ANSWER_FEEDBACK_BLOCK,
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": ids.ANSWER_FEEDBACK,
                "positive_button": choice("Helpful", "This answer was helpful", 1),
                "negative_button": choice("Not helpful", "This answer was not helpful", -1),
            }
        ],
    }


def cited(citation: Citation) -> str:
    """A citation as an mrkdwn link to its public source, or its title and file if it has none."""
    where = to_mrkdwn(citation.where)
    if citation.url.startswith(("https://", "http://")):
        return f"_<{escape(citation.url)}|{where}>_"
    return f"_{where} ({to_mrkdwn(citation.source)})_"


def draft_blocks(
    content: DraftContent,
    rubric: RubricScore | None,
    version: int | None,
    understood: Sequence[str] = (),
) -> list[Block]:
    """The draft's one outline (`bot/drafts/outline.py`) as Block Kit: every section."""
    blocks: list[Block] = [header_with_version(content.title, version)]
    if content.partners:
        blocks.append(context("Partners: " + to_mrkdwn(", ".join(content.partners))))
    if not content.problem_statement.strip():
        blocks += section("*Problem statement*\n_Not written yet._")
    for part in outline(content, rubric, understood):
        for block in part.blocks:
            if isinstance(block, Scores):
                blocks += scorecard_blocks(block.rubric)
            elif isinstance(block, Sources):
                listed = "\n".join(
                    f"[{n}] {cited(s)}" for n, s in enumerate(block.citations, start=1)
                )
                blocks.append(context(f"Sources:\n{listed}"))
            else:
                blocks += section(f"*{to_mrkdwn(part.heading)}*\n{_mrkdwn_block(block)}")
    return blocks


def _mrkdwn_block(block: Paragraph | Bullets | Table) -> str:
    if isinstance(block, Paragraph):
        return to_mrkdwn(block.text)
    if isinstance(block, Bullets):
        marker = "• " if block.bulleted else ""
        return "\n".join(f"{marker}{to_mrkdwn(item)}" for item in block.items)
    return "\n".join(
        f"• *{to_mrkdwn(row[0])}*: " + " — ".join(to_mrkdwn(cell) for cell in row[1:] if cell)
        for row in block.rows
    )


def scorecard_blocks(rubric: RubricScore) -> list[Block]:
    lines = [
        f"{MARKS.get(c.score, '•')} *{to_mrkdwn(c.name)}* {c.score}/2 — {to_mrkdwn(c.reason)}"
        for c in rubric.criteria
    ]
    head = f"*Rubric: {rubric.total}/{rubric.max_total} ({rubric.percent}%)*"
    if not rubric.gate_passed:
        head += "\n:no_entry: Patient-identifiable data found: remove it before this can pass."
    return section(head + "\n" + "\n".join(lines))


def fit_blocks(blocks: list[Block], limit: int) -> list[Block]:
    """Keep within the block limit, saying so rather than failing with invalid_blocks."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    kept.append(
        context("…more than Slack can show in one message: export the draft to see it all.")
    )
    return kept


def fallback_text(reply: Reply) -> str:
    """The notification text and the plain-text fallback if blocks are refused.

    Slack reads mentions and `<!channel>` in this text (it drives notifications), so it is
    escaped like the blocks: a title or answer must never ping a channel.
    """
    text = to_mrkdwn(dataclasses.replace(reply, content=None).as_text())
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


PARTNER_TYPES = (
    ("pharmaceutical", "Pharmaceutical company"),
    ("digital", "Digital or technology company"),
    ("social_care", "Social care provider"),
    ("local_government", "Local government"),
    ("nhs", "Another NHS organisation"),
    ("voluntary", "Voluntary or community sector"),
    ("other", "Other"),
)


def new_draft_modal(title: str, channel_id: str) -> dict[str, Any]:
    """The `/statement new` form: what the first stage would otherwise ask."""

    def text_input(
        block_id: str, label: str, placeholder: str, initial: str = "", optional: bool = False
    ) -> Block:
        element: Block = {
            "type": "plain_text_input",
            "action_id": ids.INPUT_ACTION,
            "placeholder": {"type": "plain_text", "text": placeholder},
            "max_length": 200,
        }
        if initial:
            element["initial_value"] = initial[:200]
        return {
            "type": "input",
            "block_id": block_id,
            "optional": optional,
            "label": {"type": "plain_text", "text": label},
            "element": element,
        }

    options = [
        {"text": {"type": "plain_text", "text": label}, "value": value}
        for value, label in PARTNER_TYPES
    ]
    return form_modal(
        ids.NEW_DRAFT_VIEW,
        channel_id,
        "New problem statement",
        "Start coaching",
        [
            text_input(ids.TITLE_INPUT, "Title", "e.g. Faster discharge to care homes", title),
            text_input(
                ids.PARTNERS_INPUT, "Partner organisation(s)", "e.g. Leeds trust, Acme Pharma"
            ),
            {
                "type": "input",
                "block_id": ids.PARTNER_TYPE_INPUT,
                "optional": True,
                "label": {"type": "plain_text", "text": "Partner type"},
                "element": {
                    "type": "static_select",
                    "action_id": ids.INPUT_ACTION,
                    "options": options,
                },
            },
            text_input(ids.AREA_INPUT, "Area of care", "e.g. stroke prevention", optional=True),
            pasted_input(),
        ],
    )


PASTE_LIMIT = 3000  # Slack's most for a text input


def pasted_input() -> Block:
    """Optional: a description or a document's text; the coach files every part at once."""
    return {
        "type": "input",
        "block_id": ids.PASTED_INPUT,
        "optional": True,
        "label": {"type": "plain_text", "text": "Paste what you have"},
        "hint": {
            "type": "plain_text",
            "text": "A description, notes or a document's text: I'll sort it under the right "
            "questions, show a first draft and ask only about what is missing.",
        },
        "element": {
            "type": "plain_text_input",
            "action_id": ids.INPUT_ACTION,
            "multiline": True,
            "max_length": PASTE_LIMIT,
            "placeholder": {"type": "plain_text", "text": "Optional"},
        },
    }


def form_modal(
    callback_id: str, metadata: str, title: str, submit: str, blocks: list[Block]
) -> dict[str, Any]:
    """A form in a modal; `metadata` (where it was opened) comes back with the submission."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata[:3000],
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": submit[:24]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def share_modal(title: str, where: str) -> dict[str, Any]:
    """Pick a colleague; `where` (JSON: draft, channel, thread) lets the app confirm there."""
    return form_modal(
        ids.SHARE_DRAFT_VIEW,
        where,
        "Share draft",
        "Share",
        [
            *section(
                f"Share *{to_mrkdwn(_short(title, 300))}* with a colleague: they can read "
                "it, answer in its thread and export it."
            ),
            {
                "type": "input",
                "block_id": ids.SHARE_WITH_INPUT,
                "label": {"type": "plain_text", "text": "Share with"},
                "element": {"type": "users_select", "action_id": ids.INPUT_ACTION},
            },
        ],
    )


def revise_modal(content: DraftContent, where: str) -> dict[str, Any]:
    """Revise the two lines people most often rewrite, pre-filled with the current words."""

    def text_box(block_id: str, label: str, initial: str, hint: str) -> Block:
        element: Block = {
            "type": "plain_text_input",
            "action_id": ids.INPUT_ACTION,
            "multiline": True,
            "max_length": PASTE_LIMIT,
        }
        if initial.strip():
            element["initial_value"] = initial[:PASTE_LIMIT]
        return {
            "type": "input",
            "block_id": block_id,
            "label": {"type": "plain_text", "text": label},
            "hint": {"type": "plain_text", "text": hint},
            "element": element,
        }

    return form_modal(
        ids.REVISE_DRAFT_VIEW,
        where,
        "Revise the draft",
        "Save and re-score",
        [
            text_box(
                ids.PROBLEM_INPUT,
                "Problem statement",
                content.problem_statement,
                "At most three sentences: who is affected, what happens now, why it matters.",
            ),
            text_box(
                ids.HMW_INPUT,
                "How might we",
                content.how_might_we,
                "One line starting 'How might we'.",
            ),
        ],
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
