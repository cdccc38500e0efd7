"""Block Kit for coach replies, drafts and App Home, within Slack's limits.

Everything a person sees in Slack is built here from the engine's structured `Reply`, so the
listeners stay thin. Limits respected: section text 3,000 characters, header 150, 50 blocks a
message (100 in App Home), button values 2,000.
"""

from __future__ import annotations

from typing import Any

from bot.coaching.outline import Bullets, Paragraph, Scores, Sources, Table, outline
from bot.coaching.reply import Reply
from bot.drafts.content import Citation, DraftContent, RubricScore
from bot.drafts.records import DraftSummary
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


def reply_blocks(reply: Reply, version_id: int | None = None) -> list[Block]:
    """A coach reply: notices, progress, words, tips, the draft, then the next question."""
    blocks: list[Block] = []
    for notice in reply.notices:
        blocks.append(context(f":warning: {to_mrkdwn(notice)}"))
    if reply.progress:
        blocks.append(context(f"*{reply.progress}*"))
    if reply.text:
        blocks += section(to_mrkdwn(reply.text))
    if reply.content is not None:
        blocks += draft_blocks(reply.content, reply.rubric, reply.version)
        blocks.append(draft_actions(reply.draft_id, version_id))
    for tip in reply.tips:
        blocks.append(context(f":bulb: {to_mrkdwn(tip.text)}\n{cited(tip.citation)}"))
    if reply.question:
        blocks += section(f"*{to_mrkdwn(reply.question)}*")
        if reply.hint:
            blocks.append(context(to_mrkdwn(reply.hint)))
    return fit_blocks(blocks, MAX_BLOCKS)


def cited(citation: Citation) -> str:
    """A citation as an mrkdwn link to its public source, or its title and file if it has none."""
    where = to_mrkdwn(citation.where)
    if citation.url.startswith(("https://", "http://")):
        return f"_<{escape(citation.url)}|{where}>_"
    return f"_{where} ({to_mrkdwn(citation.source)})_"


def draft_blocks(
    content: DraftContent, rubric: RubricScore | None, version: int | None
) -> list[Block]:
    """The draft's one outline (`bot/coaching/outline.py`) as Block Kit: every section."""
    title = content.title + (f" — v{version}" if version else "")
    blocks: list[Block] = [header(title)]
    if content.partners:
        blocks.append(context("Partners: " + to_mrkdwn(", ".join(content.partners))))
    if not content.problem_statement.strip():
        blocks += section("*Problem statement*\n_Not written yet._")
    for part in outline(content, rubric):
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


def draft_actions(draft_id: str, version_id: int | None) -> Block:
    elements = [
        button("Accept", "draft_accept", draft_id, "primary"),
        button("Revise", "draft_revise", draft_id),
        button("Export", "draft_export", draft_id),
        button("Share", "draft_share", draft_id),
    ]
    if version_id is not None:
        elements += [
            button("👍", "feedback_up", f"{draft_id}:{version_id}"),
            button("👎", "feedback_down", f"{draft_id}:{version_id}"),
        ]
    return {"type": "actions", "block_id": f"draft:{draft_id}", "elements": elements}


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
    text = to_mrkdwn(reply.as_text())
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def drafts_list_blocks(drafts: list[DraftSummary]) -> list[Block]:
    if not drafts:
        return section("You have no drafts yet. Start one with `/statement new`.")
    blocks: list[Block] = [header("Your drafts")]
    for draft in drafts[:40]:
        score = "–" if draft.latest_score is None else f"{draft.latest_score}%"
        shared = f" · shared by <@{draft.owner_id}>" if draft.shared else ""
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{to_mrkdwn(draft.title)}* `{draft.id}`\n{draft.status} · "
                    f"{draft.stage} · score {score} · updated "
                    f"<!date^{int(draft.updated_at.timestamp())}^{{date_short_pretty}} "
                    f"{{time}}|{draft.updated_at:%d %b %H:%M}>{shared}",
                },
            }
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": f"home:{draft.id}",
                "elements": [
                    button("Open", "draft_open", draft.id, "primary"),
                    button("Export", "draft_export", draft.id),
                ],
            }
        )
    return blocks


def home_view(drafts: list[DraftSummary]) -> dict[str, Any]:
    intro = section(
        "*Partnership Coach* helps you and your partners agree a problem statement and value "
        "proposition. Type `/statement new` in any channel, or message me here."
    )
    blocks = fit_blocks([*intro, {"type": "divider"}, *drafts_list_blocks(drafts)], HOME_MAX_BLOCKS)
    return {"type": "home", "blocks": blocks}


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
            "action_id": "value",
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
    return {
        "type": "modal",
        "callback_id": "new_draft",
        "private_metadata": channel_id[:3000],
        "title": {"type": "plain_text", "text": "New problem statement"[:24]},
        "submit": {"type": "plain_text", "text": "Start coaching"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            text_input("title", "Title", "e.g. Faster discharge to care homes", title),
            text_input("partners", "Partner organisation(s)", "e.g. Leeds trust, Acme Pharma"),
            {
                "type": "input",
                "block_id": "partner_type",
                "optional": True,
                "label": {"type": "plain_text", "text": "Partner type"},
                "element": {"type": "static_select", "action_id": "value", "options": options},
            },
            text_input("area", "Area of care", "e.g. stroke prevention", optional=True),
            pasted_input(),
        ],
    }


PASTE_LIMIT = 3000  # Slack's most for a text input


def pasted_input() -> Block:
    """Optional: a description or a document's text; the coach files every part at once."""
    return {
        "type": "input",
        "block_id": "pasted",
        "optional": True,
        "label": {"type": "plain_text", "text": "Paste what you have"},
        "hint": {
            "type": "plain_text",
            "text": "A description, notes or a document's text: I'll sort it under the right "
            "questions, show a first draft and ask only about what is missing.",
        },
        "element": {
            "type": "plain_text_input",
            "action_id": "value",
            "multiline": True,
            "max_length": PASTE_LIMIT,
            "placeholder": {"type": "plain_text", "text": "Optional"},
        },
    }


def share_modal(draft_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "share_draft",
        "private_metadata": draft_id,
        "title": {"type": "plain_text", "text": "Share draft"},
        "submit": {"type": "plain_text", "text": "Share"},
        "blocks": [
            {
                "type": "input",
                "block_id": "user",
                "label": {"type": "plain_text", "text": "Share with"},
                "element": {"type": "users_select", "action_id": "value"},
            }
        ],
    }
