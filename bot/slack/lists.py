"""Lists of drafts, a page at a time, for `/statement list`, the assistant panel and App Home.

One block per draft (its line, with an Open button beside it) and ten drafts a page, with
Previous / Next, keep every list far inside Slack's 50 blocks a message (100 in App Home) however
many drafts someone has: Slack refuses a message over the limit whole, so an unpaged list would
vanish for exactly the people with the most drafts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.drafts.records import DraftSummary
from bot.slack import ids
from bot.slack.blocks import HOME_MAX_BLOCKS, Block, button, context, fit_blocks, header, section
from bot.slack.cards import stage_words, status_words
from bot.slack.mrkdwn import escape, to_mrkdwn

PAGE_SIZE = 10
TITLE_CHARS = 150  # a list line shows the start of a long title; the card shows all of it
Surface = Literal["list", "assistant", "home"]


@dataclass(frozen=True)
class Page:
    """Which drafts one page shows, and whether there are pages either side."""

    drafts: list[DraftSummary]
    number: int  # from 0
    count: int  # pages in all (at least 1)
    total: int  # drafts in all

    @staticmethod
    def of(drafts: list[DraftSummary], number: int) -> Page:
        count = max(1, -(-len(drafts) // PAGE_SIZE))
        number = min(max(number, 0), count - 1)
        shown = drafts[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
        return Page(shown, number, count, len(drafts))


def draft_line(draft: DraftSummary) -> str:
    """One draft as people read it: title, status, where it stands, score, when, whose."""
    title = draft.title if len(draft.title) <= TITLE_CHARS else draft.title[:TITLE_CHARS] + "…"
    score = "not scored yet" if draft.latest_score is None else f"score {draft.latest_score}%"
    where = "" if draft.status == "final" else f" · {stage_words(draft.question_key)}"
    shared = f" · shared by <@{escape(draft.owner_id)}>" if draft.shared else ""
    when = (
        f"<!date^{int(draft.updated_at.timestamp())}^{{date_short_pretty}} {{time}}|"
        f"{draft.updated_at:%d %b %H:%M}>"
    )
    return (
        f"*{to_mrkdwn(title)}* `{escape(draft.id)}`\n"
        f"{status_words(draft.status)}{where} · {score} · updated {when}{shared}"
    )


def drafts_page_blocks(drafts: list[DraftSummary], number: int, surface: Surface) -> list[Block]:
    """One page of the user's drafts, with Previous / Next when there are more."""
    if not drafts:
        return section(
            "You have no drafts yet. Start one with `/statement new`, or say *new draft* to me."
        )
    page = Page.of(drafts, number)
    blocks: list[Block] = [header("Your drafts")]
    for draft in page.drafts:
        blocks.append(
            {
                "type": "section",
                "block_id": f"{ids.DRAFT_LINE_PREFIX}{draft.id}",
                "text": {"type": "mrkdwn", "text": draft_line(draft)},
                "accessory": button("Open", ids.DRAFT_OPEN, draft.id),
            }
        )
    first = page.number * PAGE_SIZE + 1
    blocks.append(
        context(
            f"Drafts {first}–{first + len(page.drafts) - 1} of {page.total} · "
            f"page {page.number + 1} of {page.count}"
        )
    )
    moves = []
    if page.number > 0:
        moves.append(button("◀ Previous", ids.DRAFTS_PAGE_PREVIOUS, f"{surface}:{page.number - 1}"))
    if page.number + 1 < page.count:
        moves.append(button("Next ▶", ids.DRAFTS_PAGE_NEXT, f"{surface}:{page.number + 1}"))
    if moves:
        blocks.append({"type": "actions", "block_id": ids.DRAFTS_PAGES_BLOCK, "elements": moves})
    return blocks


def parse_page(value: str) -> tuple[str, int]:
    """The surface and page number a Previous / Next button carries."""
    surface, _, number = (value or "").partition(":")
    return surface, int(number) if number.isdigit() else 0


def home_view(drafts: list[DraftSummary], number: int = 0) -> dict[str, Any]:
    """App Home: what the coach does, a New draft button, and the user's drafts by page."""
    intro = section(
        "*Partnership Coach* helps you and your partners agree a problem statement and value "
        "proposition. Start a draft here, type `/statement new` in any channel, or message me."
    )
    start = {
        "type": "actions",
        "block_id": ids.HOME_ACTIONS_BLOCK,
        "elements": [button("New draft", ids.HOME_NEW_DRAFT, "new", "primary")],
    }
    blocks = [*intro, start, {"type": "divider"}, *drafts_page_blocks(drafts, number, "home")]
    return {"type": "home", "blocks": fit_blocks(blocks, HOME_MAX_BLOCKS)}
