"""Every Slack surface, built at its worst, against Slack's documented limits.

100 drafts, 200-character titles and 4,000-character answers (the most a message may hold): a
surface that grows past a limit is refused by Slack whole and the user sees nothing, so each one
is built here at that size and checked with the harness's `slack_limit_problems`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.coaching.reply import Reply, Tip
from bot.drafts.content import (
    ChecklistItem,
    Citation,
    CriterionScore,
    DraftContent,
    PartyValue,
    RubricScore,
)
from bot.drafts.records import DraftRecord, DraftSummary, VersionRecord
from bot.slack.blocks import (
    fallback_text,
    new_draft_modal,
    reply_blocks,
    reply_head,
    reply_tail,
    revise_modal,
    share_modal,
)
from bot.slack.cards import (
    ButtonValue,
    card_blocks,
    full_draft_modal,
    parent_blocks,
    parent_text,
    shared_notice_blocks,
)
from bot.slack.listeners.commands import NEEDS_ID, USAGE
from bot.slack.lists import PAGE_SIZE, drafts_page_blocks, home_view
from tests.slack_block_limits import slack_limit_problems

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TITLE = ("Reducing avoidable admissions from care homes across the integrated care board " * 3)[
    :200
]
ANSWER = ("Only 62% of eligible adults are anticoagulated & <many> are never reviewed. " * 60)[
    :4000
]


def _draft(status: str = "active", stage: str = "evidence") -> DraftRecord:
    return DraftRecord(
        id="abc123",
        workspace_id="T1",
        owner_id="UALICE",
        title=TITLE,
        partners=["Acme Pharma"] * 10,
        partner_type="pharmaceutical",
        area_of_care="stroke",
        status=status,
        question_key=stage,
        answers={"evidence": ANSWER},
        created_at=NOW,
        updated_at=NOW,
        lock_version=7,
    )


def _version(number: int = 123) -> VersionRecord:
    content = DraftContent(
        title=TITLE,
        partners=[ANSWER[:200]] * 10,
        problem_statement=ANSWER,
        how_might_we="How might we " + ANSWER,
        value_proposition=[PartyValue(party=ANSWER[:200], value=ANSWER) for _ in range(3)],
        evidence=[ANSWER] * 5,
        measures=[ANSWER] * 5,
        scope=ANSWER,
        risks=ANSWER,
        checklist=[ChecklistItem(item=ANSWER[:300], note=ANSWER[:300]) for _ in range(6)],
        sources=[
            Citation(title=ANSWER[:200], source=f"d{n}.md", url="https://www.nhs.uk/x")
            for n in range(30)
        ],
    )
    rubric = RubricScore(
        criteria=[
            CriterionScore(
                id=f"c{n}", name=ANSWER[:80], score=n % 3, reason=ANSWER, suggestion=ANSWER
            )
            for n in range(10)
        ]
    )
    return VersionRecord(
        id=999,
        draft_id="abc123",
        number=number,
        content=content,
        rubric=rubric,
        coach_mode="guided",
        model=None,
        prompt_versions={},
        prompt_tokens=0,
        completion_tokens=0,
        created_at=NOW,
    )


def _reply() -> Reply:
    return Reply(
        "abc123",
        "draft",
        text=ANSWER,
        stage_number=8,
        stage_total=8,
        stage_name="Draft, critique and revise",
        question=ANSWER,
        hint=ANSWER,
        tips=[Tip(ANSWER, Citation(title=ANSWER[:200], source="t.md", url="https://x.org"))],
        notices=[ANSWER, ANSWER],
        content=_version().content,
        rubric=_version().rubric,
        version=123,
    )


def _summaries(count: int = 100) -> list[DraftSummary]:
    return [
        DraftSummary(
            id=f"id{n:04d}",
            title=TITLE,
            owner_id="UALICE" if n % 3 else "UBOB",
            status="final" if n % 4 == 0 else "active",
            question_key="context.topic" if n % 2 else "review",
            updated_at=NOW - timedelta(hours=n),
            latest_score=None if n % 5 == 0 else n % 101,
            shared=n % 3 == 0,
        )
        for n in range(count)
    ]


def _message(blocks: list[dict], text: str = "x") -> dict:
    return {"text": text, "blocks": blocks}


def _ok(payload: dict, surface: str = "message") -> None:
    problems = slack_limit_problems(payload, surface)
    assert problems == [], problems


@pytest.mark.parametrize(("status", "stage"), [("active", "evidence"), ("final", "final")])
def test_the_card_and_the_channel_post_fit_at_their_largest(status, stage):
    draft, latest = _draft(status, stage), _version()
    card = card_blocks(draft, latest)
    _ok(_message(card))
    _ok(_message(parent_blocks(draft, latest), parent_text(draft, latest)))
    _ok(_message(shared_notice_blocks(draft, latest, "UBOB")))
    # the turn that first shows a draft carries its words on the card
    _ok(_message([*reply_head(_reply()), *card, *reply_tail(_reply())][:50]))
    header = card[0]["text"]["text"]
    assert header.endswith("— v123") and "…" in header
    assert header.removesuffix("… — v123").split()[-1] in TITLE.split()  # cut on a word
    values = [e["value"] for b in card if b["type"] == "actions" for e in b["elements"]]
    assert values and all(ButtonValue.decode(v) == ButtonValue("abc123", 123) for v in values)
    actions = [e["action_id"] for b in card if b["type"] == "actions" for e in b["elements"]]
    assert ("draft_final" in actions) == (status != "final")
    assert "draft_accept" not in actions


def test_a_card_before_any_draft_fits_and_offers_only_what_makes_sense():
    card = card_blocks(_draft(), None)
    _ok(_message(card))
    actions = [e["action_id"] for b in card if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["draft_share"]


def test_a_turn_at_its_largest_fits():
    _ok({"text": fallback_text(_reply()), "blocks": reply_blocks(_reply(), "card note")})


def test_the_full_draft_and_every_form_fit():
    draft, latest = _draft(), _version()
    _ok(full_draft_modal(draft, latest, 124), "modal")
    where = json.dumps({"d": "abc123", "v": 123, "c": "C0123456789", "t": "1800000000.000001"})
    _ok(revise_modal(latest.content, where), "modal")
    _ok(share_modal(TITLE, where), "modal")
    _ok(new_draft_modal(TITLE, "C0123456789"), "modal")
    _ok(_message([], USAGE))
    for said in NEEDS_ID.values():
        _ok(_message([], said))


@pytest.mark.parametrize("surface", ["list", "assistant"])
def test_a_hundred_drafts_page_through_ten_at_a_time(surface):
    drafts = _summaries()
    seen: list[str] = []
    for number in range(10):
        blocks = drafts_page_blocks(drafts, number, surface)
        _ok(_message(blocks))
        listed = [b["block_id"].removeprefix("draft:") for b in blocks if b["type"] == "section"]
        assert len(listed) == PAGE_SIZE
        seen += listed
        moves = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
        ids = [e["action_id"] for e in moves]
        assert ("drafts_page_previous" in ids) == (number > 0)
        assert ("drafts_page_next" in ids) == (number < 9)
        assert all(e["value"].startswith(f"{surface}:") for e in moves)
        text = json.dumps(blocks)
        assert "context.topic" not in text and "· active" not in text  # words, not keys
    assert seen == [d.id for d in drafts]
    # a page past the end shows the last page rather than nothing
    assert drafts_page_blocks(drafts, 99, surface) == drafts_page_blocks(drafts, 9, surface)


def test_app_home_fits_with_a_hundred_drafts_on_every_page():
    drafts = _summaries()
    for number in range(10):
        view = home_view(drafts, number)
        _ok(view, "home")
        assert view["blocks"][1]["elements"][0]["action_id"] == "home_new_draft"
    assert "You have no drafts yet" in json.dumps(home_view([]))


def test_the_checker_catches_what_slack_refuses():
    """The checks above are only as good as the checker: each broken limit is reported."""
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    long_button = {
        "type": "actions",
        "block_id": "a",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Go"},
                "action_id": "go",
                "value": "v" * 2001,
            }
        ],
    }
    duplicate = {"type": "section", "block_id": "a", "text": {"type": "mrkdwn", "text": "x"}}
    too_many = [{"type": "divider"}] * 51
    problems = slack_limit_problems(_message([header, long_button, duplicate, *too_many]))
    assert {p.split(":")[0] for p in problems} == {
        "blocks",
        "header",
        "button value",
        "duplicate block_id",
    }
    assert slack_limit_problems({"text": "t" * 4001, "blocks": []}) == ["text: 4001 > 4000"]
