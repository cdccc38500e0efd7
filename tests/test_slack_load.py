"""Load in the suite, small: 40 users answer in their own threads at once, every event delivered
twice (Slack's retry racing the first delivery), and each thread gets exactly one reply.

`python -m benchmarks.load --users 200` is the measured version (ack times, memory, turns per
second); this is the cheap guard that acking before the work neither loses nor doubles a turn.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.engine import Engine
from bot.drafts.records import Actor
from tests.slack_fixtures import later_event_answered, thread_message

USERS = 40


def replies_per_thread(calls: list) -> Counter[str]:
    return Counter(
        call.body["thread_ts"]
        for call in calls
        if call.method == "chat.postMessage" and call.body.get("thread_ts")
    )


@pytest.mark.slow
def test_forty_users_at_once_get_one_reply_each_even_when_slack_retries(
    slack, fake_slack, store, fake_search
):
    engine = Engine(store, search=fake_search)
    threads = []
    for n in range(USERS):
        parent = f"1960000000.{n:06d}"
        user = f"UCROWD{n:03d}"
        engine.start(Actor("T1", user), f"Crowd {n}", conversation_key=f"slack:T1:C1:{parent}")
        threads.append((user, parent))
    answer = next(iter(GOOD_ANSWERS.values()))

    def send(index: int) -> int:
        user, parent = threads[index // 2]
        again = 1 if index % 2 else None  # the same event a second time, as Slack's retry
        return thread_message(
            slack, answer, thread_ts=parent, user=user, event_id=f"EvCrowd{index // 2}", retry=again
        ).status

    with ThreadPoolExecutor(max_workers=USERS) as pool:
        assert list(pool.map(send, range(2 * USERS))) == [200] * (2 * USERS)

    parents = {parent for _user, parent in threads}
    fake_slack.wait_until(
        lambda calls: parents <= set(replies_per_thread(calls)) or None,
        "not every thread got a reply",
        timeout=120,
    )
    # a second reply to any thread would be posted by the time the app's backlog is empty
    later_event_answered(slack, fake_slack)
    counts = replies_per_thread(fake_slack.calls_to("chat.postMessage"))
    lost = [parent for _user, parent in threads if counts[parent] == 0]
    doubled = [parent for _user, parent in threads if counts[parent] > 1]
    assert (lost, doubled) == ([], [])
