"""Slack handlers called directly, as Bolt would call them, without a server or a fake Slack.

Each handler gets Bolt's arguments by hand: an `ack` and a `respond` that remember their calls, a
Web API client that records what would have been sent, and a `BoltContext` holding what the app's
middleware puts there. The drafts are real (a SQLite store behind `engine.drafts`); no coach runs,
so these tests stay fast and exercise only what the handlers decide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_bolt import BoltContext, BoltResponse

from bot.coaching.drafts_service import DraftsService
from bot.drafts.answers import AnswerStore
from bot.drafts.content import CriterionScore, DraftContent, RubricScore
from bot.drafts.events import EventStore
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.slack import ids
from bot.slack.cards import card_blocks
from bot.slack.conversations import SlackConversations, thread_key
from bot.slack.listeners import actions, commands, events
from bot.slack.listeners.commands import NEEDS_ID
from bot.slack.listeners.dependencies import add_to, conversations_of, provide
from tests.store_writes import add_version

ALICE = Actor("T1", "UALICE")


class EngineWithoutCoach:
    """The parts of `Engine` these handlers reach: the drafts front door, the draft a
    conversation is linked to, and event claims (no coaching turn runs in these tests)."""

    def __init__(self, store: DraftStore) -> None:
        self.drafts = DraftsService(store, AnswerStore(store.db))
        self.claim_event = EventStore(store.db).claim_event
        self.current = lambda key, actor: store.linked_draft(key, actor)


@dataclass
class Recorder:
    """Stands in for `ack` or `respond`: remembers each call's keyword arguments."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, text: str = "", **kwargs: Any) -> None:
        self.calls.append({"text": text, **kwargs} if text else kwargs)


@dataclass
class RecordingClient:
    """A Web API client that records every method called, and answers like Slack would."""

    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __getattr__(self, method: str):
        def call(**kwargs: Any) -> dict[str, Any]:
            self.sent.append((method, kwargs))
            if method == "conversations_open":
                return {"channel": {"id": "D" + kwargs["users"]}}
            return {"ok": True, "ts": "1800000000.000100"}

        return call

    def methods(self) -> list[str]:
        return [method for method, _kwargs in self.sent]


@pytest.fixture
def conversations(store, make_settings) -> SlackConversations:
    return SlackConversations(EngineWithoutCoach(store), make_settings())


def context_for(conversations: SlackConversations, user: str = "UALICE") -> BoltContext:
    """What Bolt and the app's middleware give a listener for one request."""
    return add_to(
        BoltContext({"team_id": "T1", "user_id": user, "bot_user_id": "UBOT"}), conversations
    )


def scored(score: int) -> RubricScore:
    return RubricScore(
        criteria=[CriterionScore(id="who", name="Who is affected", score=score, reason="named")]
    )


def version_of(problem: str) -> DraftContent:
    return DraftContent(
        title="Falls in care homes",
        problem_statement=problem,
        how_might_we="How might we halve falls in care homes?",
    )


def click_body(user: str, action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user, "team_id": "T1"},
        "trigger_id": "trigger-1",
        "channel": {"id": "C1"},
        "container": {"type": "message", "channel_id": "C1"},
        "message": {"ts": "1800000000.000001", "thread_ts": "1800000000.000001"},
        "actions": [{"action_id": action_id, "value": value}],
    }


def test_the_middleware_gives_every_request_the_slack_bridge(conversations) -> None:
    context = BoltContext({"team_id": "T1"})
    ran: list[bool] = []

    def next_() -> BoltResponse:
        ran.append(conversations_of(context) is conversations)
        return BoltResponse(status=200)

    response = provide(conversations)(context, next_)
    assert ran == [True] and response.status == 200


def test_show_without_an_id_acks_and_says_where_the_ids_are(conversations) -> None:
    ack, respond, client = Recorder(), Recorder(), RecordingClient()
    command = {"command": ids.COMMAND, "text": "show", "user_id": "UALICE", "team_id": "T1"}
    commands.statement(ack, command, client, respond, context_for(conversations))
    assert ack.calls == [{}]
    assert respond.calls == [
        {"text": NEEDS_ID["show"], "response_type": "ephemeral", "blocks": None}
    ]
    assert client.sent == []


def test_unshare_of_someone_never_shared_with_says_so(conversations, store) -> None:
    draft = store.create_draft(ALICE, "Falls in care homes")
    ack, respond = Recorder(), Recorder()
    command = {"text": f"unshare {draft.id} <@UBOB|bob>", "user_id": "UALICE", "team_id": "T1"}
    commands.statement(ack, command, RecordingClient(), respond, context_for(conversations))
    (said,) = respond.calls
    assert "was not shared with <@UBOB>" in said["text"] and "Falls in care homes" in said["text"]


def test_a_click_on_an_out_of_date_card_says_so_and_changes_nothing(conversations, store) -> None:
    draft = store.create_draft(ALICE, "Falls in care homes")
    add_version(
        store, ALICE, draft.id, version_of("Residents fall."), scored(1), coach_mode="guided"
    )
    add_version(
        store,
        ALICE,
        draft.id,
        version_of("Residents fall at night."),
        scored(2),
        coach_mode="guided",
    )
    ack, client = Recorder(), RecordingClient()
    body = click_body("UALICE", ids.DRAFT_FINAL, f"{draft.id}:v1")
    action = body["actions"][0]
    actions.final(ack, body, action, client, context_for(conversations))
    assert ack.calls == [{}]
    (redrawn, told) = client.sent
    assert redrawn[0] == "chat_update" and redrawn[1]["ts"] == "1800000000.000001"
    assert "v2" in json.dumps(redrawn[1]["blocks"]), "the clicked card now shows version 2"
    assert told[0] == "chat_postEphemeral" and told[1]["user"] == "UALICE"
    said = told[1]["text"]
    assert "showed version 1" in said and "now at version 2" in said
    assert "I've updated this card: check the new version, then click again." in said
    assert store.get_draft(ALICE, draft.id).status == "active"


def test_a_collaborator_clicking_mark_final_on_an_old_card_is_told_only_the_owner_can(
    conversations, store
) -> None:
    draft = store.create_draft(ALICE, "Falls in care homes")
    for problem in ("Residents fall.", "Residents fall at night."):
        add_version(store, ALICE, draft.id, version_of(problem), scored(1), coach_mode="guided")
    store.share(ALICE, draft.id, "UBOB")
    client = RecordingClient()
    body = click_body("UBOB", ids.DRAFT_FINAL, f"{draft.id}:v1")
    actions.final(Recorder(), body, body["actions"][0], client, context_for(conversations, "UBOB"))
    ((method, told),) = client.sent
    assert method == "chat_postEphemeral"
    assert "Only the draft's owner, <@UALICE>, can mark it final" in told["text"]


def test_a_collaborators_copy_of_the_card_has_no_owner_only_buttons(store) -> None:
    draft = store.create_draft(ALICE, "Falls in care homes")
    add_version(
        store, ALICE, draft.id, version_of("Residents fall."), scored(1), coach_mode="guided"
    )
    latest = store.latest_version(ALICE, draft.id)

    def buttons(viewer: str | None) -> set[str]:
        actions_block = card_blocks(draft, latest, viewer)[-1]
        return {element["action_id"] for element in actions_block["elements"]}

    owner_only = {ids.DRAFT_FINAL, ids.DRAFT_SHARE}
    assert owner_only <= buttons("UALICE") and owner_only <= buttons(None)
    assert not owner_only & buttons("UBOB")
    assert ids.DRAFT_REVISE in buttons("UBOB")


def test_a_click_by_someone_not_shared_with_is_refused_privately(conversations, store) -> None:
    draft = store.create_draft(ALICE, "Falls in care homes")
    add_version(
        store, ALICE, draft.id, version_of("Residents fall."), scored(1), coach_mode="guided"
    )
    client = RecordingClient()
    body = click_body("UMALLORY", ids.FEEDBACK_UP, f"{draft.id}:v1")
    context = context_for(conversations, user="UMALLORY")
    actions.rate_up(Recorder(), body, body["actions"][0], client, context)
    ((method, told),) = client.sent
    assert method == "chat_postEphemeral" and told["user"] == "UMALLORY"
    assert "not been shared" in told["text"]


def test_a_reply_in_someone_elses_thread_is_not_used_and_says_whom_to_ask(
    conversations, store
) -> None:
    draft = store.create_draft(ALICE, "Falls in care homes")
    store.link_conversation(thread_key("T1", "C1", "1800000000.000001"), ALICE, draft.id)
    body = {
        "team_id": "T1",
        "event_id": "EvMallory",
        "event": {
            "type": "message",
            "channel": "C1",
            "channel_type": "channel",
            "user": "UMALLORY",
            "text": "I have thoughts",
            "ts": "1800000000.000009",
            "thread_ts": "1800000000.000001",
        },
    }
    client = RecordingClient()
    context = context_for(conversations, user="UMALLORY")
    events.on_message(body, body["event"], client, context)
    ((method, told),) = client.sent
    assert method == "chat_postEphemeral" and told["user"] == "UMALLORY"
    assert "<@UALICE>'s draft" in told["text"] and f"/statement share {draft.id}" in told["text"]
    events.on_message(body, body["event"], client, context)
    assert client.methods() == ["chat_postEphemeral"]  # Slack's retry of it: told once
