"""Every way text enters the app goes through the privacy guard (issue 19, item 2).

The search is spied on: with ``EMBEDDINGS=openai`` a question is sent to an outside API, so
what reaches `search()` is what leaves the machine. The last tests enumerate the entry points
from the code (the Typer commands of bot/cli.py, the Bolt listeners registered by
bot/slack/listeners/) and compare them with the list below, which says how each one is guarded:
a new command or listener fails the test until someone has checked it and said so here.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.coaching.engine import Engine
from bot.coaching.tips import KnowledgeTips
from bot.drafts.records import Actor
from bot.privacy.share_targets import InvalidShareTarget, checked_share_target
from tests.fakes.search import FakeSearch

NHS = "943 476 5919"
QUESTION = f"what about NHS {NHS} and jo.bloggs@example.org on 07700 900123?"
ALICE = Actor("T1", "alice")


class SpySearch(FakeSearch):
    """A fake knowledge search that remembers every query it was given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.queries: list[str] = []

    def search(self, query: str, *args: Any, **kwargs: Any) -> list:  # type: ignore[override]
        self.queries.append(query)
        return super().search(query, *args, **kwargs)


def assert_guarded(queries: list[str]) -> None:
    """No identifier of QUESTION reached the search, and the question itself did, guarded."""
    assert any("[NHS number removed]" in query for query in queries), queries
    for query in queries:
        assert "5919" not in query and "bloggs" not in query and "900123" not in query


@pytest.fixture
def spy(monkeypatch) -> SpySearch:
    created = SpySearch()
    monkeypatch.setattr("bot.retrieval.search.KnowledgeSearch", lambda *a, **k: created)
    monkeypatch.setattr("bot.console.asking.KnowledgeSearch", lambda *a, **k: created)
    return created


@pytest.fixture
def cli(tmp_path, monkeypatch) -> Callable[..., Any]:
    from bot import cli as cli_module

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()

    def run(args: list[str], stdin: str | None = None) -> Any:
        return runner.invoke(cli_module.app, args, input=stdin)

    return run


@pytest.mark.slow  # patching the real search imports it (Chroma)
def test_coach_ask_guards_the_argument_before_the_search(cli, spy) -> None:
    result = cli(["ask", "--json", QUESTION])
    assert result.exit_code == 0, result.output
    assert_guarded(spy.queries)


@pytest.mark.slow  # patching the real search imports it (Chroma)
def test_coach_ask_guards_every_line_from_stdin(cli, spy) -> None:
    result = cli(["ask", "--json", "-"], stdin=f"{QUESTION}\nsecond {QUESTION}\n")
    assert result.exit_code == 0, result.output
    assert sum("[NHS number removed]" in q for q in spy.queries) >= 2
    assert_guarded(spy.queries)


@pytest.mark.slow  # patching the real search imports it (Chroma)
def test_interactive_question_loop_guards_before_the_search(spy, monkeypatch, make_settings):
    from rich.console import Console

    from bot.console import asking

    answers = iter([QUESTION, "/quit"])
    monkeypatch.setattr(asking.Prompt, "ask", lambda *a, **k: next(answers))
    asking.question_loop(make_settings(), Console(file=io.StringIO()))
    assert_guarded(spy.queries)


def test_engine_side_question_and_knowledge_answer_search_guarded_text(store) -> None:
    spy = SpySearch()
    engine = Engine(store, search=spy)
    start = engine.start(ALICE, "Falls in care homes")
    engine.handle(ALICE, start.draft_id, f"?{QUESTION}")
    engine.answer_question(QUESTION)
    assert sum("[NHS number removed]" in q for q in spy.queries) >= 2
    assert_guarded(spy.queries)


def test_engine_search_choke_point_guards_even_unguarded_callers(store) -> None:
    spy = SpySearch()
    KnowledgeTips(store, spy).find(QUESTION, k=3)
    assert_guarded(spy.queries)


# -- share targets ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["U0123ABCD", "W08XYZ1234", "jsmith", "j.smith-2", "a_b"])
def test_user_ids_and_console_names_are_valid_share_targets(target: str) -> None:
    assert checked_share_target(target) == target


@pytest.mark.parametrize(
    "target",
    [NHS, "9434765919", "jo@nhs.net", '"unterminated', "Jane Smith", "07700900123", "", "a;b"],
)
def test_anything_else_is_refused_without_echoing_it(target: str) -> None:
    with pytest.raises(InvalidShareTarget) as refused:
        checked_share_target(target)
    assert target.strip() not in str(refused.value) or not target.strip()


def test_the_drafts_service_refuses_before_anything_is_stored(store) -> None:
    engine = Engine(store, search=None)
    draft_id = engine.start(ALICE, "Falls").draft_id
    for bad in ("9434765919", "jo@nhs.net"):
        with pytest.raises(InvalidShareTarget):
            engine.drafts.share(ALICE, draft_id, bad)
        with pytest.raises(InvalidShareTarget):
            engine.drafts.unshare(ALICE, draft_id, bad)
    engine.drafts.share(ALICE, draft_id, "bob")
    assert engine.drafts.get(Actor("T1", "bob"), draft_id).id == draft_id


def test_console_share_says_why_it_refused(store, make_settings) -> None:
    from rich.console import Console

    from bot.console.chat import ChatSession

    buffer = io.StringIO()
    engine = Engine(store, search=None)
    session = ChatSession(engine, make_settings(), ALICE, Console(file=buffer, width=200), True)
    session.run_command("/new Falls")
    session.run_command(f"/share {NHS.replace(' ', '')}")
    said = buffer.getvalue()
    assert "not a user" in said and "9434765919" not in said


# -- every entry point is known ------------------------------------------------------------------

# Typer commands of bot/cli.py and how the text they take is guarded.
CLI_COMMANDS = {
    "index": "takes a path, not text; indexing reads the knowledge base, not user text",
    "ask": "guarded_question() before the search (argument, stdin)",
    "doctor": "takes no text",
    "chat": "every message goes through Engine.start/handle, which guard before storing",
    "slack": "starts the Slack adapter: its listeners are enumerated below",
    "run": "starts the Slack adapter: its listeners are enumerated below",
    "drafts list": "takes no text",
    "drafts show": "takes a draft id; output comes from stored, already-guarded text",
    "drafts export": "takes a draft id and a format; the export is composed from guarded text",
    "eval run": "persona cases run through Engine.handle like any message",
    "eval list": "takes no text",
    "eval report": "reads a stored run",
    "eval open": "reads a stored run",
    "eval compare": "reads two stored runs",
    "eval harvest": "cards built from stored (guarded) answers, each fact redact_line'd again",
}

# Bolt listeners registered by bot/slack/listeners/ and how their text is guarded.
SLACK_LISTENERS = {
    "assistant.thread_started:started": "takes no text",
    "assistant.user_message:message": "Engine.handle / answer_question guard the message",
    "command:statement": "titles redact_line; share targets validated; else redact_line",
    "view:new_draft": "title and fields guarded by Engine.start (redact_line)",
    "view:share_draft": "a Slack user picker: an id, validated by DraftsService.share",
    "view:revise_draft": "the revision goes through Engine.handle",
    "event:on_message": "Engine.handle guards the message",
    "event:on_mention": "Engine.handle / answer_question guard the message",
    "event:on_home": "takes no text",
    "action:final": "a button: no text",
    "action:revise": "a button: no text (opens the revise view)",
    "action:full_draft": "a button: no text",
    "action:export": "a button: no text",
    "action:share": "a button: opens the share view",
    "action:open_draft": "a button: no text",
    "action:start_from": "a button: starts from guarded text",
    "action:new_from_home": "a button: opens the new-draft view",
    "action:turn_page": "a button: no text",
    "action:rate_up": "a vote: no text",
    "action:rate_down": "a vote: no text",
    "action:rate_answer": "a vote: no text",
}


class _Recorder:
    """Stands in for Bolt's App and Assistant: records what each `register` attaches."""

    def __init__(self, seen: list[str], prefix: str = "") -> None:
        self._seen = seen
        self._prefix = prefix

    def __getattr__(self, kind: str) -> Callable[..., Any]:
        def attach(first: Any = None, *args: Any, **kwargs: Any) -> Any:
            if callable(first) and not isinstance(first, str):
                if isinstance(first, _Recorder):  # app.assistant(assistant)
                    return first
                self._seen.append(f"{self._prefix}{kind}:{first.__name__}")
                return first

            def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
                self._seen.append(f"{self._prefix}{kind}:{function.__name__}")
                return function

            return decorator

        return attach


def test_every_cli_command_is_known_to_route_text_through_the_guard() -> None:
    from bot import cli as cli_module

    names: set[str] = set()
    for command in cli_module.app.registered_commands:
        names.add(command.name or (command.callback.__name__ if command.callback else ""))
    for group in cli_module.app.registered_groups:
        typer_instance = group.typer_instance
        assert typer_instance is not None
        names.update(f"{group.name} {c.name}" for c in typer_instance.registered_commands)
    assert names == set(CLI_COMMANDS), (
        "a CLI command was added or removed: check it guards its text, then list it here"
    )


def test_every_slack_listener_is_known_to_route_text_through_the_guard(monkeypatch) -> None:
    from bot.slack.listeners import actions, assistant, commands, events, views

    seen: list[str] = []
    monkeypatch.setattr(assistant, "Assistant", lambda: _Recorder(seen, "assistant."))
    app = _Recorder(seen)
    for module in (assistant, commands, views, events, actions):
        module.register(app)  # type: ignore[arg-type]
    assert set(seen) == set(SLACK_LISTENERS), (
        "a Slack listener was added or removed: check it guards its text, then list it here"
    )
