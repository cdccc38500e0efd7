"""The `/statement new` form's optional "Paste what you have": a first draft at once in Slack."""

from __future__ import annotations

import pytest

from benchmarks.support.scripted_users import RICH_PARAGRAPH
from bot.slack.blocks import new_draft_modal
from tests.slack_fixtures import ALICE, start_thread


def test_the_form_offers_an_optional_multiline_paste_field():
    (pasted,) = [b for b in new_draft_modal("", "C1")["blocks"] if b["block_id"] == "pasted"]
    assert pasted["optional"] and pasted["element"]["multiline"]
    assert pasted["element"]["max_length"] == 3000


# the pasted paragraph reaches the privacy guard's name model (Presidio, spaCy): slow
@pytest.mark.slow
def test_pasted_text_is_filed_and_the_first_reply_is_a_draft(slack, fake_slack, store):
    start_thread(slack, fake_slack, title="Heart failure", partners="", pasted=RICH_PARAGRAPH)
    posts = fake_slack.calls_to("chat.postMessage")
    (summary,) = store.list_drafts(ALICE)
    first_reply = str(posts[1].body["blocks"])
    # the first reply is the draft's card: its score, weakest points and buttons
    assert f"card:{summary.id}" in first_reply and "score" in first_reply
    assert "Next step" in first_reply and "draft_full" in first_reply
    answers = store.get_draft(ALICE, summary.id).answers
    assert "palliative care team" in answers["outcome.scope"]
    assert "director of nursing" in answers["risks"]
