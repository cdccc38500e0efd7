"""Tips worth reading: clean whole sentences, one per turn, never repeated, with a source URL."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.checklist import readiness_checklist
from bot.coaching.engine import Engine
from bot.coaching.partners import partner_fit
from bot.coaching.stages import QUESTION_KEYS
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.retrieval.documents import load_knowledge
from bot.retrieval.passage import excerpt, plain_text
from tests.conftest import ROOT

ALICE = Actor("T1", "alice")
FIRST_SOURCE_URL = {
    f.path: (f.source_urls[0] if f.source_urls else "")
    for f in load_knowledge([ROOT / "knowledge"], ROOT / "knowledge").files
}
MARKDOWN_DEBRIS = re.compile(r"\*\*|__|^#|^\s*[-*+]\s|\]\(|`")


def test_excerpt_cleans_markdown_and_keeps_whole_sentences():
    chunk = (
        "Test:** every partner would sign it. How to fix a weak one: ask again.\n\n"
        "## Results\n\n- **Pilot:** 11 practices, three months\n- **Strokes:** see [AHSN](https://x.org)"
    )
    text = excerpt(chunk, 3, 400, markdown=True)
    assert not MARKDOWN_DEBRIS.search(text), text
    assert text == (
        "Test: every partner would sign it. How to fix a weak one: ask again. "
        "Pilot: 11 practices, three months."
    )


def test_excerpt_skips_a_leading_fragment_and_never_cuts_mid_word():
    chunk = "the end of a sentence the chunker split. A whole sentence follows here. And more."
    assert excerpt(chunk, 2, 320, markdown=True) == ("A whole sentence follows here. And more.")
    long_second = "First sentence. " + "Word " * 100 + "end."
    assert excerpt(long_second, 2, 100) == "First sentence."


def test_list_items_become_sentences_and_headings_and_tables_disappear():
    assert plain_text("# Title\n| a | b |\n- one item;\n- two") == "one item. two."


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=800))
def test_excerpt_is_total_and_bounded(text):
    out = excerpt(text, 2, 320, markdown=True)
    assert len(out) <= 600
    assert out == out.strip()


def test_a_digital_partner_gets_dtac_and_clinical_safety_and_data_gets_ig():
    digital = partner_fit("digital")
    moving_data = {"evidence": "We will share patient records with the company."}
    items = [c.item for c in readiness_checklist(moving_data, digital)]
    assert any("DTAC" in item for item in items)
    assert any("DCB0129" in item and "DCB0160" in item for item in items)
    assert any("data sharing agreement" in item for item in items)
    assert any("impact assessment" in item for item in items)
    plain = [c.item for c in readiness_checklist({}, partner_fit("pharmaceutical"))]
    assert not any("DTAC" in item or "impact assessment" in item for item in plain)


@pytest.fixture
def engine(tmp_path, knowledge_search):
    with DraftStore(f"sqlite:///{tmp_path / 'coach.db'}") as store:
        yield Engine(store, search=knowledge_search)


@pytest.mark.slow  # the tips and their sources come from the real index
def test_a_conversation_shows_at_most_one_tip_a_turn_and_never_the_same_passage_twice(engine):
    draft_id = engine.start(ALICE, "Stroke prevention in AF").draft_id
    replies = [engine.handle(ALICE, draft_id, GOOD_ANSWERS[key]) for key in QUESTION_KEYS[:4]]
    replies += [engine.handle(ALICE, draft_id, "what is a driver diagram?") for _ in range(2)]
    tips = [tip for reply in replies for tip in reply.tips]
    assert all(len(reply.tips) <= 1 for reply in replies)
    assert tips, "coaching offers some tips"
    opened = [tip.text[:80] for tip in tips]
    assert len(opened) == len(set(opened)), opened
    for tip in tips:
        assert not MARKDOWN_DEBRIS.search(tip.text), tip.text
        assert tip.text.endswith((".", "?", "!", "”", '"', ")")), tip.text
        # The link is the document's own first public source: a tip from a document with one
        # always shows it, and none is invented for the few drawn from a briefing with no
        # public address.
        assert tip.citation.url == FIRST_SOURCE_URL[tip.citation.source], tip.citation
    assert any(tip.citation.url.startswith("https://") for tip in tips)
    for reply in replies:
        for tip in reply.tips:
            assert tip.text[:80] not in reply.text, "a tip never repeats what the reply quoted"


@pytest.mark.slow
def test_a_data_sharing_answer_prompts_the_information_governance_guide(engine):
    draft_id = engine.start(ALICE, "Faster COPD reviews").draft_id
    engine.handle(ALICE, draft_id, GOOD_ANSWERS[QUESTION_KEYS[0]])
    reply = engine.handle(
        ALICE,
        draft_id,
        "We want to share patient records from 12 practices with the company so its software "
        "can find people overdue a COPD review.",
    )
    assert reply.tips, reply.as_text()
    assert reply.tips[0].citation.source == "guides/information-governance-before-data-moves.md"


@pytest.mark.slow
def test_a_digital_partner_draft_cites_the_digital_guide_and_lists_dtac(engine):
    answers = dict(GOOD_ANSWERS)
    answers[QUESTION_KEYS[0]] = (
        "Our ICB and a digital health company that makes a remote monitoring app"
    )
    draft_id = engine.start(ALICE, "Remote monitoring").draft_id
    reply = None
    for key in QUESTION_KEYS:
        reply = engine.handle(ALICE, draft_id, answers[key])
        if reply.kind == "question" and "Try a new version" in reply.text:
            reply = engine.handle(ALICE, draft_id, "skip")
    assert reply is not None and reply.content is not None
    assert any("DTAC" in item.item for item in reply.content.checklist)
    sources = {c.source for c in reply.content.sources}
    assert "guides/rules-for-medtech-and-digital-partners.md" in sources, sources
    assert all(c.url for c in reply.content.sources if c.source.startswith(("guides/", "cases/")))
