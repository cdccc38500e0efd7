"""Slack: ack latency under 20 concurrent commands, time to the first reply, cold start.

The ack latency is measured against `coach slack` running in its own process.

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

from benchmarks.support.fake_slack import FakeSlack
from benchmarks.support.openai_server import FakeOpenAI, Scripted
from benchmarks.support.scripted_coach import reply_for
from benchmarks.support.slack_harness import (
    SIGNING_SECRET,
    SlackAppServer,
    SlackClientSimulator,
    free_port,
)
from benchmarks.timing import summary_ms
from bot.coaching.engine import Engine
from bot.coaching.llm_coach import LLMCoach
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.retrieval.embeddings import LazyEmbeddings
from bot.retrieval.indexer import build_index
from bot.retrieval.search import KnowledgeSearch
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 20
ROUNDS = 10
REPLIES = 8


def _ack_latency(
    simulator: SlackClientSimulator, fake: FakeSlack, store: DraftStore, *, mixed: bool = True
) -> dict:
    """Ack time of `/statement` under load: 20 at once, every kind of subcommand in the mix.

    Each command does its work (a list, a card, an export, a form) after the ack; what Slack
    times, and what is measured here, is the ack.
    """
    owner = Actor("T1", "UALICE")
    draft = store.create_draft(owner, "Bench draft")
    mix = ["help", "list", f"show {draft.id}", f"export {draft.id}", "new Bench", "list 2"]
    if not mixed:
        mix = ["help"]  # the ack alone: no command's work competing for the interpreter
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


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_until_idle(pid: int, timeout: float = 180) -> float | None:
    """Seconds until the server's background warm-up (guard, search, recogniser) has finished:
    the ack latency of a warmed server is what is measured, the cold start separately."""
    started = time.perf_counter()
    try:
        before = _cpu_seconds(pid)
        while time.perf_counter() - started < timeout:
            time.sleep(1.0)
            now = _cpu_seconds(pid)
            if now - before < 0.05:
                return round(time.perf_counter() - started, 1)
            before = now
    except (OSError, ValueError, IndexError):  # no /proc: measure as it is
        return None
    return None


def _served(data: Path, fake: FakeSlack, store: DraftStore) -> dict:
    """`coach slack` in its own process, as deployed: time to its first ack, then the ack
    latency of 20 concurrent commands sent from this process (so the load generator's own
    threads do not share the server's interpreter and inflate what is measured)."""
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
        warm = _wait_until_idle(process.pid) if first_ack else None
        ack = _ack_latency(simulator, fake, store) if first_ack else {}
        ack["warm_up_s"] = warm
        ack_only = _ack_latency(simulator, fake, store, mixed=False) if first_ack else {}
    finally:
        process.terminate()
        process.wait(timeout=10)
    cold = {"first_ack_s": round(first_ack, 2) if first_ack else None, "limit_s": 3.0}
    return {"ack_latency": ack, "ack_latency_help_only": ack_only, "cold_start": cold}


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
            first_reply = _first_reply(simulator, fake, store, engine)
        finally:
            server.stop()
        try:
            served = _served(data, fake, store)
        finally:
            store.close()
    return {**served, "first_reply_llm_scripted": first_reply}
