"""Block Kit and mrkdwn: Slack's limits respected and Markdown translated, for any content."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.reply import Reply, Tip
from bot.drafts.content import (
    ChecklistItem,
    Citation,
    CriterionScore,
    DraftContent,
    PartyValue,
    RubricScore,
)
from bot.slack.blocks import MAX_BLOCKS, header_with_version, reply_blocks
from bot.slack.mrkdwn import SECTION_LIMIT, split_text, to_mrkdwn


def big_reply(size: int) -> Reply:
    words = ("word " * size).strip()
    content = DraftContent(
        title="T" * 300,
        partners=["Trust", "Acme <Pharma> & Co"],
        problem_statement=words,
        how_might_we="How might we " + words,
        value_proposition=[PartyValue(party=f"Party {n}", value=words) for n in range(3)],
        evidence=[words] * 5,
        measures=[words] * 5,
        checklist=[ChecklistItem(item="Written agreement")],
        sources=[Citation(title=f"Doc {n}", source=f"d{n}.md") for n in range(30)],
    )
    rubric = RubricScore(
        criteria=[
            CriterionScore(id=f"c{n}", name=f"C{n}", score=n % 3, reason=words) for n in range(10)
        ]
    )
    return Reply(
        "abc123",
        "draft",
        text=words,
        content=content,
        rubric=rubric,
        version=3,
        tips=[Tip(words, Citation(title="Tip", source="t.md"))],
        question="Next?",
        stage_number=8,
        stage_total=8,
        stage_name="Review",
        notices=[words],
    )


def assert_within_limits(blocks: list[dict]) -> None:
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_LIMIT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "context":
            assert all(len(e["text"]) <= 3000 for e in block["elements"])


def test_an_enormous_reply_stays_within_slack_limits():
    for size in (10, 800, 5000):
        assert_within_limits(reply_blocks(big_reply(size), note="card updated"))


def test_a_turn_leaves_the_draft_to_its_card():
    blocks = reply_blocks(big_reply(5), note="The draft card above shows version 3.")
    text = str(blocks)
    assert "Stage 8 of 8" in text and "card above shows version 3" in text
    assert "Rubric:" not in text and not [b for b in blocks if b["type"] == "actions"]


def test_headers_are_cut_on_a_word_and_keep_their_version():
    title = "Improving anticoagulation " * 12
    text = header_with_version(title, 12)["text"]["text"]
    assert len(text) <= 150 and text.endswith("… — v12")
    assert text.removesuffix("… — v12").split()[-1] in title.split()
    assert header_with_version("Short", 2)["text"]["text"] == "Short — v2"


def test_markdown_becomes_mrkdwn_and_control_characters_are_escaped():
    assert to_mrkdwn("**bold** and [NHS](https://www.nhs.uk)") == (
        "*bold* and <https://www.nhs.uk|NHS>"
    )
    assert to_mrkdwn("# Heading") == "*Heading*"
    assert to_mrkdwn("a < b & c > d") == "a &lt; b &amp; c &gt; d"


@settings(max_examples=60)
@given(st.text(min_size=0, max_size=12000))
def test_split_text_never_exceeds_the_limit_and_keeps_the_words(text):
    pieces = split_text(text, 500)
    assert all(len(piece) <= 500 for piece in pieces)
    assert "".join(text.split()) == "".join("".join(pieces).split())
