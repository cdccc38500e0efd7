"""What a message is, on a labelled set of messages: commands, questions, chatter, revisions,
rewrites and answers. Only answers are ever filed, so these must be right before anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.coaching.dialogue import STAGE_WORDS as _STAGE_WORDS
from bot.coaching.intent import classify, normalise

LABELLED = yaml.safe_load(
    (Path(__file__).parent / "data" / "messages.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("item", LABELLED, ids=[m["text"][:40] for m in LABELLED])
def test_each_labelled_message_is_recognised(item):
    intent = classify(item["text"], stage_names=_STAGE_WORDS)
    assert intent.kind == item["kind"], intent
    if "command" in item:
        assert intent.command == item["command"], intent


def test_the_labelled_set_covers_every_kind_and_command():
    kinds = {m["kind"] for m in LABELLED}
    commands = {m.get("command") for m in LABELLED if m["kind"] == "command"}
    assert kinds == {"command", "question", "chatter", "revision", "rewrite", "answer"}
    assert commands == {"help", "cancel", "new", "draft", "show", "back", "skip", "accept", "edit"}
    assert len(LABELLED) >= 70


def test_a_command_word_inside_a_long_message_is_an_answer():
    text = "Stop smoking services refer only 40% of pregnant smokers, so help is late"
    assert classify(text).kind == "answer"
    assert classify("help with self-management for people with COPD").kind == "answer"


def test_edit_targets_and_rewrites_carry_their_argument():
    assert classify("edit the evidence", stage_names=_STAGE_WORDS).argument == "evidence"
    rewrite = classify("hmw:   make sure every adult   is reviewed")
    assert (rewrite.command, rewrite.argument) == ("hmw", "make sure every adult is reviewed")
    question = classify("? written agreements")
    assert question.argument == "written agreements"


def test_normalise_drops_politeness_and_punctuation():
    assert normalise("Could you please show me the draft?") == "show me the draft"
    assert normalise("/Help!") == "help"
    assert normalise("OK, let's go back please") == "go back"
