"""The store, retrieval, engine and Slack app on the services a scaled deployment uses.

PostgreSQL (a fresh database per test) and a `chroma run` server holding the real knowledge
index; the Slack part runs two `coach slack` processes behind nginx. Counts are printed so a run
says what it did, and every assertion is about what a user would see or lose.
"""

from __future__ import annotations

import threading
import time

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from benchmarks.support.fake_slack import FakeSlack
from benchmarks.support.slack_harness import SIGNING_SECRET, SlackClientSimulator
from bot.coaching.engine import Engine
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.retrieval.quality import evaluate, load_questions
from tests.conftest import ROOT
from tests.scale.app_cluster import NGINX, AppCluster
from tests.test_engine import answer_all

# Real PostgreSQL, a Chroma server and app instances behind nginx (`make test-scale`).
pytestmark = pytest.mark.slow

QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions"
INSTANCES = 4
DRAFTS_PER_INSTANCE = 3


def test_retrieval_quality_through_the_chroma_server(served_search, capsys) -> None:
    """The same quality bar as the embedded index: the server must not change what is found."""
    report = evaluate(served_search, load_questions(QUESTIONS))
    with capsys.disabled():
        print(
            f"\n[chroma server] n={report.questions} hit@1={report.hit_at_1:.2f} "
            f"hit@3={report.hit_at_3:.2f} mrr={report.mrr:.2f}"
        )
    assert report.hit_at_1 >= 0.80 and report.hit_at_3 >= 0.95, report.misses


def test_whole_conversation_on_postgresql_and_chroma(scale_database_url, served_search) -> None:
    with DraftStore(scale_database_url) as store:
        engine = Engine(store, search=served_search)
        actor = Actor("TSCALE", "ualice")
        draft_id = engine.start(actor, "Scaled stroke prevention").draft_id
        final = answer_all(engine, actor, draft_id)
        assert final.kind == "draft" and final.rubric.percent >= 70
        tipped = [m for m in store.recent_messages(actor, draft_id, 100) if "Tip" in m.text]
        assert tipped, "tips come from the Chroma server"


def test_many_instances_share_one_database_without_losing_a_turn(
    scale_database_url, capsys
) -> None:
    """Several stores (one per 'instance') answering many drafts at once, some the same draft."""
    answers = list(GOOD_ANSWERS.values())
    with DraftStore(scale_database_url) as setup:
        starter = Engine(setup)
        actors = [Actor("TSCALE", f"u{n}") for n in range(DRAFTS_PER_INSTANCE)]
        drafts = [(a, starter.start(a, f"Draft {a.user_id}").draft_id) for a in actors]
        locks = {d: setup.get_draft(a, d).lock_version for a, d in drafts}
    failures: list[str] = []
    barrier = threading.Barrier(INSTANCES)
    started = time.perf_counter()

    def instance(number: int) -> None:
        with DraftStore(scale_database_url) as store:
            engine = Engine(store)
            barrier.wait()
            for actor, draft_id in drafts:  # every instance works on every draft
                reply = engine.handle(actor, draft_id, answers[number % len(answers)])
                if reply.kind == "error":
                    failures.append(reply.text)

    threads = [threading.Thread(target=instance, args=(n,)) for n in range(INSTANCES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    assert not failures
    with DraftStore(scale_database_url) as check:
        for actor, draft_id in drafts:
            history = check.recent_messages(actor, draft_id, 200)
            users = [m for m in history if m.role == "user"]
            assert len(users) == INSTANCES, [m.text for m in history]
            assert check.get_draft(actor, draft_id).lock_version == locks[draft_id] + INSTANCES
    with capsys.disabled():
        turns = INSTANCES * len(drafts)
        print(
            f"\n[shared PostgreSQL] instances={INSTANCES} drafts={len(drafts)} turns={turns} "
            f"lost=0 in {seconds:.1f}s"
        )


def _thread_replies(fake: FakeSlack, thread_ts: str) -> int:
    posted = fake.calls_to("chat.postMessage")
    return len([c for c in posted if c.body.get("thread_ts") == thread_ts])


def _wait_for_replies(fake: FakeSlack, thread_ts: str, count: int, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen = _thread_replies(fake, thread_ts)
        if seen >= count:
            return seen
        time.sleep(0.1)
    return _thread_replies(fake, thread_ts)


def _first_thread_ts(fake: FakeSlack, seconds: float) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        threaded = [c for c in fake.calls_to("chat.postMessage") if "thread_ts" in c.body]
        if threaded:
            return threaded[0].body["thread_ts"]
        time.sleep(0.2)
    return None


def test_two_app_instances_behind_nginx(
    scale_database_url, served_settings, privacy_guard, capsys
) -> None:
    """Events delivered to both instances are answered once; killing one loses nothing."""
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian package nginx-light)")
    from tests.slack_fixtures import start_thread, thread_message

    answers = list(GOOD_ANSWERS.values())
    with (
        FakeSlack() as fake,
        AppCluster(
            database_url=scale_database_url,
            chroma_url=served_settings.chroma_url,
            slack_api_url=fake.api_url,
            secret=SIGNING_SECRET,
        ) as apps,
    ):
        proxy = SlackClientSimulator(apps.url)
        direct = [SlackClientSimulator(apps.instance_url(n)) for n in range(2)]
        try:
            _channel, thread_ts = start_thread(proxy, fake)
        except AssertionError:  # a cold instance's first turn can outlast the helper's 10 s
            thread_ts = _first_thread_ts(fake, 120) or pytest.fail(apps.log(0) + apps.log(1))
        expected = _thread_replies(fake, thread_ts)
        duplicates_sent = 0
        for number, text in enumerate(answers[:4]):
            event_id = f"EvScale{number}"
            for simulator in direct:  # Slack retried: the same event reaches both instances
                status = thread_message(simulator, text, thread_ts=thread_ts, event_id=event_id)
                assert status.status == 200
            duplicates_sent += 1
            expected += 1
            assert _wait_for_replies(fake, thread_ts, expected) == expected
        time.sleep(1.0)  # a late duplicate would have landed by now
        assert _thread_replies(fake, thread_ts) == expected, "a duplicated event was answered twice"

        apps.kill(0)
        after_kill = 0
        for number, text in enumerate(answers[4:7]):
            ack = thread_message(proxy, text, thread_ts=thread_ts, event_id=f"EvAfter{number}")
            assert ack.status == 200, ack.body
            expected += 1
            assert _wait_for_replies(fake, thread_ts, expected) == expected
            after_kill += 1
        assert "Traceback" not in apps.log(1)
    with capsys.disabled():
        print(
            f"\n[two instances behind nginx] duplicated events={duplicates_sent} answered twice=0 "
            f"answered after kill -9 of one instance={after_kill} lost=0"
        )
