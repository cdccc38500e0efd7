"""Load: N simulated users coached at once through `coach slack`'s HTTP endpoint.

`python -m benchmarks.load --users 50 --turns 3` starts `coach slack` in its own process (the
guided coach, SQLite, the embedded index in a temporary folder) against the fake Slack Web API,
gives every user a draft in its own thread, then has all of them send their answers at once as
signed message events. It reports the ack latency (what Slack times out on), replies lost or
duplicated per thread, the server's resident memory before and after, and turns per second.
Loopback only, bounded in users and time. Not part of `make bench`: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.slack import _wait_until_idle
from benchmarks.timing import summary_ms
from bot.coaching.engine import Engine
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.retrieval.indexer import build_index
from bot.settings import load_settings
from tests.conversation_script import GOOD_ANSWERS
from tests.fakes.fake_slack import FakeSlack
from tests.slack_harness import SIGNING_SECRET, SlackClientSimulator, free_port

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = 600  # each round is bounded: a stuck server fails the benchmark, not the machine
ROUNDS = 2  # the second round shows whether memory keeps growing once the server is warm


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process, from /proc (None where there is no /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _thread_replies(fake: FakeSlack) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in fake.calls_to("chat.postMessage"):
        thread = call.body.get("thread_ts")
        if thread:
            counts[thread] = counts.get(thread, 0) + 1
    return counts


def _start_server(data: Path, fake: FakeSlack, port: int) -> subprocess.Popen[bytes]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "SLACK_", "DATABASE_URL", "CHROMA_URL"))
    }
    env.update(
        COACH_DATA_DIR=str(data),
        COACH_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
        SLACK_BOT_TOKEN="xoxb-load",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        PORT=str(port),
    )
    coach = str(Path(sys.executable).parent / "coach")
    return subprocess.Popen(
        [coach, "slack"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_healthy(simulator: SlackClientSimulator, seconds: float = 180) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{simulator.base_url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("coach slack did not start")


def run(users: int = 50, turns: int = 3) -> dict:
    answers = list(GOOD_ANSWERS.values())
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        data = Path(tmp)
        settings = load_settings(coach_data_dir=data, coach_knowledge_dir=ROOT / "knowledge")
        build_index(settings)
        threads: list[tuple[Actor, str]] = []
        with DraftStore(settings.effective_database_url) as store:
            engine = Engine(store)
            for n in range(users):
                actor = Actor("T1", f"ULOAD{n:04d}")
                parent = f"1950000000.{n:06d}"
                engine.start(actor, f"Load {n}", conversation_key=f"slack:T1:C1:{parent}")
                threads.append((actor, parent))
        port = free_port()
        server = _start_server(data, fake, port)
        simulator = SlackClientSimulator(f"http://127.0.0.1:{port}")
        try:
            _wait_healthy(simulator)
            warm_up_s = _wait_until_idle(server.pid)  # measured warm, as a long-running server
            rss = [rss_mb(server.pid)]
            fake.clear()
            rounds_out = []
            for first in range(0, turns * ROUNDS, turns):
                rounds_out.append(_round(simulator, fake, threads, answers, first, turns))
                rss.append(rss_mb(server.pid))
            time.sleep(2)  # a late duplicate would land by now
            replies = _thread_replies(fake)
        finally:
            server.terminate()
            server.wait(timeout=30)
    per_thread = [replies.get(parent, 0) for _actor, parent in threads]
    sent = turns * ROUNDS
    return {
        "users": users,
        "turns_per_user": sent,
        "warm_up_s": warm_up_s,
        "rounds": rounds_out,
        "lost_replies": sum(max(0, sent - n) for n in per_thread),
        "duplicated_replies": sum(max(0, n - sent) for n in per_thread),
        "rss_mb_per_round": rss,
    }


def _round(
    simulator: SlackClientSimulator,
    fake: FakeSlack,
    threads: list[tuple[Actor, str]],
    answers: list[str],
    first: int,
    turns: int,
) -> dict:
    """Every user sends `turns` answers, waiting for each reply, all users at once."""
    acks: list[float] = []
    refused = 0
    started = time.perf_counter()

    def user(index: int) -> None:
        nonlocal refused
        actor, parent = threads[index]
        for turn in range(first, first + turns):
            text = answers[turn % len(answers)]
            sent = thread_message(simulator, actor, parent, text, index, turn)
            if sent.status == 200:
                acks.append(sent.seconds * 1000)
            else:
                refused += 1
            _wait_for(fake, parent, turn + 1, started + DEADLINE_S)

    with ThreadPoolExecutor(max_workers=len(threads)) as pool:
        list(pool.map(user, range(len(threads))))
    seconds = time.perf_counter() - started
    return {
        "ack_latency": summary_ms(acks),
        "refused": refused,
        "seconds": round(seconds, 1),
        "turns_per_second": round(len(threads) * turns / seconds, 2),
    }


def thread_message(
    simulator: SlackClientSimulator, actor: Actor, parent: str, text: str, index: int, turn: int
):
    return simulator.event(
        {
            "type": "message",
            "channel": "C1",
            "channel_type": "channel",
            "user": actor.user_id,
            "text": text,
            "ts": f"1950000001.{index * 100 + turn:08d}",
            "thread_ts": parent,
        },
        event_id=f"EvLoad{index}-{turn}",
    )


def _wait_for(fake: FakeSlack, parent: str, count: int, deadline: float) -> None:
    """Like a person, each user waits for the coach's reply before answering again."""
    while time.perf_counter() < deadline:
        if _thread_replies(fake).get(parent, 0) >= count:
            return
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--turns", type=int, default=3)
    options = parser.parse_args()
    print(json.dumps(run(options.users, options.turns), indent=1))


if __name__ == "__main__":
    main()
