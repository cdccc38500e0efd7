"""The draft card's buttons and App Home over real HTTP: each acts on the version it was drawn for.

Full draft opens that version's every section in a modal; 👍/👎 land on that version; Share opens
a form whose submission tells the colleague (title, owner, score, Open) and confirms privately
where it was clicked; Open from a list puts the card at the head of a DM thread that coaching
continues in; App Home's New draft opens the form.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.support.slack_harness import poll_until
from tests.slack_fixtures import ALICE, start_thread, thread_message, view_submission


def _click(slack, action_id: str, value: str, *, user: str = "UALICE", where: dict | None = None):
    where = where or {
        "channel": {"id": "C1"},
        "container": {"type": "message", "channel_id": "C1"},
        "message": {"ts": "1700000050.000100", "thread_ts": "1700000001.000100"},
    }
    return slack.interactive(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user, "team_id": "T1"},
            "trigger_id": "trigger-card",
            "actions": [{"action_id": action_id, "value": value, "type": "button"}],
            **where,
        }
    )


@pytest.fixture
def drafted(slack, fake_slack, store):
    """A thread with two versions of Alice's draft: (draft id, thread ts)."""
    _channel, thread_ts = start_thread(slack, fake_slack)
    (summary,) = store.list_drafts(ALICE)
    thread_message(slack, "draft", thread_ts=thread_ts)
    fake_slack.wait_for("chat.postMessage", 3)
    rewrite = "problem: Too few adults with AF are anticoagulated."
    thread_message(slack, rewrite, thread_ts=thread_ts)
    fake_slack.wait_for("chat.postMessage", 4)
    assert store.latest_version(ALICE, summary.id).number == 2
    return summary.id, thread_ts


def test_full_draft_shows_the_version_the_card_was_drawn_for(slack, fake_slack, drafted):
    draft_id, _thread = drafted
    _click(slack, "draft_full", f"{draft_id}:v1")
    (opened,) = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    assert view["title"]["text"] == "Draft v1"
    text = json.dumps(view["blocks"])
    assert "the latest is version 2" in text and "Rubric" in text


def test_feedback_lands_on_the_version_clicked(slack, fake_slack, store, drafted):
    draft_id, _thread = drafted
    _click(slack, "feedback_down", f"{draft_id}:v1")
    (thanks,) = fake_slack.wait_for("chat.postEphemeral")
    assert "Thanks" in thanks.body["text"]
    from sqlalchemy import select

    from bot.drafts.models import Feedback

    first = store.versions(ALICE, draft_id)[0]
    with store.database.connect() as connection:
        rows = connection.execute(select(Feedback.version_id, Feedback.value)).all()
    assert rows == [(first.id, -1)]


def test_share_form_tells_the_colleague_and_confirms_where_clicked(slack, fake_slack, drafted):
    draft_id, _thread = drafted
    _click(slack, "draft_share", f"{draft_id}:v2")
    (opened,) = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    where = json.loads(view["private_metadata"])
    assert where["d"] == draft_id and where["c"] == "C1"
    submitted = slack.interactive(
        view_submission(
            "share_draft",
            {"user": {"value": {"selected_user": "UBOB"}}},
            private_metadata=view["private_metadata"],
            view_id="V3",
        )
    )
    assert submitted.status == 200
    (confirmed,) = fake_slack.wait_for("chat.postEphemeral")
    assert confirmed.body["channel"] == "C1" and "<@UBOB>" in confirmed.body["text"]
    (notice,) = [
        c for c in fake_slack.calls_to("chat.postMessage") if c.body.get("channel") == "DUBOB"
    ]
    assert "Stroke prevention" in json.dumps(notice.body["blocks"])
    assert '"draft_open"' in json.dumps(notice.body["blocks"])


def test_open_puts_the_card_at_the_head_of_a_dm_thread_that_coaching_continues_in(
    slack, fake_slack, store, drafted
):
    draft_id, _thread = drafted
    store.share(ALICE, draft_id, "UBOB")
    before = len(fake_slack.calls_to("chat.postMessage"))
    _click(slack, "draft_open", draft_id, user="UBOB", where={"container": {"type": "view"}})
    posts = fake_slack.wait_for("chat.postMessage", before + 2)
    card, where = posts[before], posts[before + 1]
    assert card.body["channel"] == "DUBOB" and "thread_ts" not in card.body
    assert any(b.get("block_id") == f"card:{draft_id}" for b in card.body["blocks"])
    (card_ts,) = [
        m["ts"]
        for m in fake_slack.messages["DUBOB"]
        if any(b.get("block_id") == f"card:{draft_id}" for b in m["blocks"])
    ]
    thread_ts = where.body["thread_ts"]
    assert thread_ts == card_ts
    thread_message(slack, "thanks", user="UBOB", channel="DUBOB", thread_ts=thread_ts)
    fake_slack.wait_for("chat.postMessage", before + 3)
    history = store.recent_messages(ALICE, draft_id, limit=50)
    assert any(m.role == "user" and m.author_id == "UBOB" for m in history)


def test_app_home_new_draft_opens_the_form(slack, fake_slack):
    _click(slack, "home_new_draft", "new", where={"container": {"type": "view"}})
    (opened,) = fake_slack.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == "new_draft"


def test_a_card_slack_will_not_update_still_leaves_the_turn_answered(
    slack, fake_slack, store, drafted
):
    draft_id, thread_ts = drafted
    before = len(fake_slack.calls_to("chat.postMessage"))
    fake_slack.fail_next("chat.update", error="invalid_blocks")
    thread_message(slack, "hmw: How might we protect more adults with AF?", thread_ts=thread_ts)
    (said,) = fake_slack.wait_for("chat.postMessage", before + 1)[before:]
    assert said.body["thread_ts"] == thread_ts
    assert "card above shows version 3" in json.dumps(said.body["blocks"])
    assert store.latest_version(ALICE, draft_id).number == 3


def _cards_in(fake_slack, channel: str, draft_id: str) -> list[dict]:
    """The messages in `channel` that are a card of the draft (as the fake Slack keeps them)."""
    return [
        m
        for m in fake_slack.messages.get(channel, [])
        if any(b.get("block_id") == f"card:{draft_id}" for b in m["blocks"])
    ]


def test_every_copy_of_the_card_follows_the_draft_and_a_second_open_posts_none(
    slack, fake_slack, store, drafted
):
    draft_id, thread_ts = drafted
    store.share(ALICE, draft_id, "UBOB")
    home = {"container": {"type": "view"}}
    _click(slack, "draft_open", draft_id, user="UBOB", where=home)
    _click(slack, "draft_open", draft_id, user="UALICE", where=home)
    fake_slack.wait_until(
        lambda calls: (
            (
                bool(_cards_in(fake_slack, "DUBOB", draft_id))
                and bool(_cards_in(fake_slack, "DUALICE", draft_id))
            )
            or None
        ),
        "the cards were not opened in both DMs",
    )
    (bobs,) = _cards_in(fake_slack, "DUBOB", draft_id)
    bob_buttons = json.dumps(bobs["blocks"])
    assert '"draft_final"' not in bob_buttons and '"draft_share"' not in bob_buttons
    assert '"draft_final"' in json.dumps(_cards_in(fake_slack, "DUALICE", draft_id)[0]["blocks"])

    # a change in the channel thread: both DM copies are redrawn with version 3
    thread_message(slack, "hmw: How might we protect more adults with AF?", thread_ts=thread_ts)
    fake_slack.wait_until(
        lambda calls: (
            all(
                "v3" in json.dumps(_cards_in(fake_slack, dm, draft_id)[0]["blocks"])
                for dm in ("DUBOB", "DUALICE")
            )
            or None
        ),
        "a DM copy of the card still shows an old version",
        timeout=30,
    )
    assert store.latest_version(ALICE, draft_id).number == 3
    assert '"draft_final"' not in json.dumps(_cards_in(fake_slack, "DUBOB", draft_id)[0]["blocks"])

    # Open again: the card is not copied a second time; Bob is pointed to the one he has
    _click(slack, "draft_open", draft_id, user="UBOB", where=home)
    fake_slack.wait_until(
        lambda calls: (
            any(
                c.method == "chat.postMessage"
                and c.body.get("channel") == "DUBOB"
                and "already open here" in c.body.get("text", "")
                for c in calls
            )
            or None
        ),
        "Bob was not pointed to the card he already has",
    )
    assert len(_cards_in(fake_slack, "DUBOB", draft_id)) == 1


def test_show_me_the_draft_with_nothing_changed_adds_no_version_over_slack(
    slack, fake_slack, store, drafted
):
    draft_id, thread_ts = drafted
    before = len(fake_slack.calls_to("chat.postMessage"))
    thread_message(slack, "show me the draft", thread_ts=thread_ts)
    (said,) = fake_slack.wait_for("chat.postMessage", before + 1)[before:]
    assert said.body["thread_ts"] == thread_ts
    assert "card above shows version 2" in json.dumps(said.body["blocks"])
    assert [v.number for v in store.versions(ALICE, draft_id)] == [1, 2]
    (card,) = [
        m
        for m in fake_slack.messages["C1"]
        if m.get("thread_ts") == thread_ts
        and any(b.get("block_id") == f"card:{draft_id}" for b in m["blocks"])
    ]
    assert "v2" in json.dumps(card["blocks"]) and "v3" not in json.dumps(card["blocks"])


def test_a_card_posted_outside_a_thread_is_linked_so_it_is_kept_current(
    slack, fake_slack, store, drafted
):
    """Mark final on a private card (`/statement show`): the result goes to Alice's DM as a card
    heading a thread linked to the draft, so it is one of the copies kept up to date."""
    from bot.slack.conversations import thread_key

    draft_id, _thread = drafted
    private = {
        "channel": {"id": "C1"},
        "container": {"type": "message", "channel_id": "C1", "is_ephemeral": True},
    }
    _click(slack, "draft_final", f"{draft_id}:v2", where=private)
    fake_slack.wait_until(
        lambda calls: _cards_in(fake_slack, "DUALICE", draft_id) or None,
        "the final card was not posted in the DM",
    )
    (card,) = _cards_in(fake_slack, "DUALICE", draft_id)
    key = thread_key("T1", "DUALICE", card["ts"])
    poll_until(lambda: store.linked_draft(key, ALICE) is not None, "the card's thread is unlinked")
    linked = store.linked_draft(key, ALICE)
    assert linked.id == draft_id and linked.status == "final"
