"""Slack: ack latency under 20 concurrent commands, time to the first reply, cold start.

All over real HTTP on loopback: the app behind uvicorn, signed requests, the fake Slack Web API
recording what the bot posts, and the scripted model server for the LLM coach.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.timing import summary_ms
from bot.coaching.engine import Engine
from bot.coaching.llm_coach import LLMCoach
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.retrieval.embeddings import LazyEmbeddings
from bot.retrieval.indexer import build_index
from bot.retrieval.search import KnowledgeSearch
from bot.settings import load_settings
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.openai_server import FakeOpenAI, Scripted
from tests.fakes.scripted_coach import reply_for
from tests.slack_harness import SIGNING_SECRET, SlackAppServer, SlackClientSimulator, free_port

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 20
ROUNDS = 10
REPLIES = 8


def _ack_latency(simulator: SlackClientSimulator, fake: FakeSlack, store: DraftStore) -> dict:
    """Ack time of `/statement` under load: 20 at once, every kind of subcommand in the mix.

    Each command does its work (a list, a card, an export, a form) after the ack; what Slack
    times, and what is measured here, is the ack.
    """
    owner = Actor("T1", "UALICE")
    draft = store.create_draft(owner, "Bench draft")
    mix = ["help", "list", f"show {draft.id}", f"export {draft.id}", "new Bench", "list 2"]
    samples: list[float] = []
    url = f"{fake.url}/response/bench"

    def send(n: int) -> object:
        return simulator.command(mix[n % len(mix)], response_url=url)

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        for _ in range(ROUNDS):
            results = list(pool.map(send, range(CONCURRENCY)))
            samples += [r.seconds * 1000 for r in results if r.status == 200]
    return {
        **summary_ms(samples),
        "concurrency": CONCURRENCY,
        "commands": len(mix),
        "errors": ROUNDS * CONCURRENCY - len(samples),
    }


def _first_reply(
    simulator: SlackClientSimulator, fake: FakeSlack, store: DraftStore, engine: Engine
) -> dict:
    samples: list[float] = []
    for n in range(REPLIES):
        actor = Actor("T1", f"UBENCH{n}")
        parent_ts = f"1900000000.{n:06d}"
        key = f"slack:T1:C1:{parent_ts}"
        engine.start(actor, "Bench", conversation_key=key)
        fake.clear()
        started = time.perf_counter()
        simulator.event(
            {
                "type": "message",
                "channel": "C1",
                "channel_type": "channel",
                "user": actor.user_id,
                "text": "Our trust and a digital company",
                "ts": f"1900000001.{n:06d}",
                "thread_ts": parent_ts,
            },
            event_id=f"EvBench{n}",
        )
        _first_visible(fake)
        samples.append((time.perf_counter() - started) * 1000)
    return summary_ms(samples)


def _first_visible(fake: FakeSlack, timeout: float = 30) -> None:
    """Wait until the bot shows something: a streamed start or an ordinary message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fake.calls_to("chat.startStream") or fake.calls_to("chat.postMessage"):
            return
        time.sleep(0.005)
    raise TimeoutError("the bot never replied")


def _cold_start(data: Path, fake: FakeSlack) -> dict:
    port = free_port()
    env = {
        **os.environ,
        "COACH_DATA_DIR": str(data),
        "COACH_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "PORT": str(port),
    }
    for name in ("SLACK_APP_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(name, None)
    coach = str(Path(sys.executable).parent / "coach")
    simulator = SlackClientSimulator(f"http://127.0.0.1:{port}")
    response_url = f"{fake.url}/response/cold"
    started = time.perf_counter()
    process = subprocess.Popen(
        [coach, "slack"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    first_ack = None
    try:
        while time.perf_counter() - started < 60:
            try:
                if simulator.command("help", response_url=response_url).status == 200:
                    first_ack = time.perf_counter() - started
                    break
            except OSError:
                time.sleep(0.02)
    finally:
        process.terminate()
        process.wait(timeout=10)
    return {"first_ack_s": round(first_ack, 2) if first_ack else None, "limit_s": 3.0}


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake, FakeOpenAI() as model:
        data = Path(tmp)
        model.set_default(lambda request: Scripted(**reply_for(request)))
        settings = load_settings(
            coach_data_dir=data,
            coach_knowledge_dir=ROOT / "knowledge",
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
            openai_base_url=model.url,
            coach_model="fake-coach",
        )
        embeddings = LazyEmbeddings(settings)
        build_index(settings, embeddings=embeddings)
        search = KnowledgeSearch(settings, embeddings)
        search.warm_up()
        store = DraftStore(settings.effective_database_url)
        engine = Engine(store, LLMCoach(settings), search=search)
        server = SlackAppServer(settings, engine).start()
        simulator = SlackClientSimulator(server.url)
        try:
            ack = _ack_latency(simulator, fake, store)
            first_reply = _first_reply(simulator, fake, store, engine)
        finally:
            server.stop()
            store.close()
        cold = _cold_start(data, fake)
    return {"ack_latency": ack, "first_reply_llm_scripted": first_reply, "cold_start": cold}
