"""`coach doctor`: is every component reachable and configured sensibly?

Each check is cheap by default (no torch import); `--deep` also loads the embedding model.
Checks do what the commands do (open and migrate the database, read the index), so a ✓ means
the commands will work and a ✗ names the problem in the same words the command would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.failures import describe_failure
from bot.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    skipped: bool = False  # not configured: neither a pass nor a failure


def _guard(name: str, probe: Callable[[], Check]) -> Check:
    try:
        return probe()
    except (Exception, MemoryError, RecursionError) as error:  # a doctor never crashes
        return Check(name, False, describe_failure(error))


def check_data_dir(settings: Settings) -> Check:
    import os

    path = settings.ensure_data_dir()
    if not os.access(path, os.W_OK | os.X_OK):
        return Check("data folder", False, f"{path} is not writable by this account")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        return Check("data folder", False, f"{path} is readable by others ({mode:o}): chmod 700")
    return Check("data folder", True, f"{path} (owner-only)")


def check_knowledge(settings: Settings) -> Check:
    from bot.retrieval.documents import load_knowledge
    from bot.retrieval.indexer import registered_sources

    loaded = load_knowledge(
        registered_sources(settings),
        settings.coach_knowledge_dir,
        max_bytes=settings.coach_knowledge_max_bytes,
    )
    if not loaded.files:
        return Check("knowledge base", False, f"no documents in {settings.coach_knowledge_dir}")
    bad = f", {len(loaded.bad)} unreadable ({loaded.bad[0].path})" if loaded.bad else ""
    return Check("knowledge base", not loaded.bad, f"{len(loaded.files)} documents{bad}")


def check_embeddings(settings: Settings, deep: bool) -> Check:
    from bot.retrieval.embeddings import LazyEmbeddings, embedding_id, local_model_path

    name = "embedding model"
    if settings.embeddings == "local":
        path = local_model_path()
        if not (path / "model.safetensors").exists() and not any(path.glob("*.bin")):
            return Check(name, False, f"model files missing in {path}")
        detail = f"{embedding_id(settings)} at {path}"
    else:
        if not settings.llm_configured:
            return Check(name, False, "EMBEDDINGS=openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
        detail = embedding_id(settings)
    if deep:
        vector = LazyEmbeddings(settings).embed_query("a test sentence")
        detail += f" (embedded a sentence: {len(vector)} dimensions)"
    return Check(name, True, detail)


def check_privacy_guard(deep: bool) -> Check:
    """The guard's name model must be installed: without it no message can be checked for
    patients' names, so the coach refuses to store anything rather than store it unchecked."""
    import importlib.util

    from bot.privacy.presidio_engine import MODEL_PACKAGE, person_spans, warm_up

    name = "privacy guard"
    missing = [p for p in ("presidio_analyzer", MODEL_PACKAGE) if not importlib.util.find_spec(p)]
    if missing:
        return Check(name, False, f"{', '.join(missing)} not installed: reinstall with `make run`")
    detail = f"UK identifier rules + Presidio with spaCy {MODEL_PACKAGE}"
    if deep:
        seconds = warm_up()
        if not person_spans("The patient, Mary Jones, was seen on Monday."):
            return Check(name, False, f"{MODEL_PACKAGE} loaded but found no name in a test")
        detail += f" (loaded in {seconds:.1f} s, found a test name)"
    return Check(name, True, detail)


def check_vector_store(settings: Settings) -> Check:
    from bot.retrieval.embeddings import embedding_id
    from bot.retrieval.vectorstore import COLLECTION, chroma_client, collection_info
    from bot.settings import mask_url

    name = "vector store"
    where = mask_url(settings.chroma_url) or f"embedded at {settings.chroma_dir}"
    if not settings.chroma_url and not settings.chroma_dir.exists():
        return Check(name, False, f"{where}: no index yet (run `coach index`)")
    client = chroma_client(settings)
    info = collection_info(client)
    if info is None or info.chunks == 0:
        return Check(name, False, f"{where}: no index yet (run `coach index`)")
    expected = embedding_id(settings)
    if info.embedding_model != expected:
        return Check(
            name,
            False,
            f"built with {info.embedding_model}, configured {expected}: "
            "run `coach index --rebuild`",
        )
    # Read a passage with its vector, as `coach ask` will: damaged segment files fail here.
    client.get_collection(COLLECTION).get(limit=1, include=["documents", "embeddings"])
    return Check(name, True, f"{where}: {info.chunks} passages ({info.embedding_model})")


def check_database(settings: Settings) -> Check:
    """Open the store as the commands do (migrations included), read from it, check writes."""
    import os

    from sqlalchemy.engine import make_url

    from bot.drafts.records import Actor
    from bot.runtime import open_store
    from bot.settings import mask_url

    name = "database"
    url = settings.effective_database_url
    try:
        with open_store(settings) as store:
            store.ping()
            store.list_drafts(Actor("doctor", "doctor"))
    except Exception as error:
        return Check(name, False, describe_failure(error, url))
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = parsed.database
        if not os.access(path, os.W_OK) or not os.access(os.path.dirname(path) or ".", os.W_OK):
            return Check(name, False, f"{path} is read-only: drafts cannot be saved")
    return Check(name, True, mask_url(url))


def check_llm(settings: Settings) -> Check:
    name = "LLM endpoint"
    if not settings.llm_configured:
        return Check(name, True, "not configured: the guided coach is used", skipped=True)
    from openai import OpenAI

    client = OpenAI(
        api_key=settings.openai_api_key or "not-needed",
        base_url=settings.openai_base_url or None,
        timeout=10,
        max_retries=0,
    )
    models = [m.id for m in client.models.list()]
    found = settings.coach_model in models
    detail = f"{client.base_url} answers; model {settings.coach_model} " + (
        "listed" if found else f"not listed ({len(models)} models)"
    )
    return Check(name, True, detail)


def check_prompts() -> Check:
    """Every prompt's newest version loads: the LLM coach would fail its first turn otherwise,
    and an installed copy that lost its prompts/ folder shows up here rather than mid-chat."""
    from bot.prompts import PROMPTS_DIR, available_versions, load_prompt

    names = (
        sorted(p.name for p in PROMPTS_DIR.iterdir() if p.is_dir()) if PROMPTS_DIR.is_dir() else []
    )
    refs = [load_prompt(name).ref for name in names if available_versions(name)]
    if not refs:
        return Check("prompts", False, f"no prompt files in {PROMPTS_DIR}")
    return Check("prompts", True, f"{len(refs)} in {PROMPTS_DIR} ({', '.join(refs)})")


SLACK_FORMATS = {
    "slack_bot_token": (re.compile(r"^xoxb-[0-9A-Za-z-]+$"), "xoxb-…"),
    "slack_app_token": (re.compile(r"^xapp-[0-9A-Za-z-]+$"), "xapp-…"),
    "slack_signing_secret": (re.compile(r"^[0-9a-f]{32}$"), "32 hex characters"),
}


def check_slack(settings: Settings) -> Check:
    name = "Slack tokens"
    given = {key: getattr(settings, key) for key in SLACK_FORMATS if getattr(settings, key)}
    if not given:
        return Check(name, True, "not configured: the console coach is used", skipped=True)
    wrong = [
        f"{key.upper()} should look like {hint}"
        for key, (pattern, hint) in SLACK_FORMATS.items()
        if key in given and not pattern.match(given[key])
    ]
    if not settings.slack_bot_token:
        wrong.append("SLACK_BOT_TOKEN is required")
    if not (settings.slack_app_token or settings.slack_signing_secret):
        wrong.append("set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP)")
    if wrong:
        return Check(name, False, "; ".join(wrong))
    mode = "Socket Mode" if settings.slack_app_token else "HTTP"
    return Check(name, True, f"well-formed ({mode})")


def check_retention(settings: Settings) -> Check:
    """What the store keeps and for how long: said plainly, as the README promises."""

    def kept(days: int) -> str:
        return f"{days} days" if days else "forever (0 = no purge)"

    return Check(
        "retention",
        True,
        f"conversation turns {kept(settings.coach_message_retention_days)}, knowledge answers "
        f"{kept(settings.coach_answer_retention_days)}; drafts and versions until deleted",
    )


def run_checks(settings: Settings, *, deep: bool = False) -> list[Check]:
    return [
        _guard("data folder", lambda: check_data_dir(settings)),
        _guard("knowledge base", lambda: check_knowledge(settings)),
        _guard("embedding model", lambda: check_embeddings(settings, deep)),
        _guard("privacy guard", lambda: check_privacy_guard(deep)),
        _guard("vector store", lambda: check_vector_store(settings)),
        _guard("database", lambda: check_database(settings)),
        _guard("retention", lambda: check_retention(settings)),
        _guard("LLM endpoint", lambda: check_llm(settings)),
        _guard("prompts", check_prompts),
        _guard("Slack tokens", lambda: check_slack(settings)),
    ]


def print_report(console: Console, settings: Settings, checks: list[Check]) -> None:
    config = Table(title="Configuration", show_header=False, title_justify="left")
    for name, value in settings.masked().items():
        config.add_row(name, escape(value) or "[dim](unset)[/dim]")
    console.print(config)
    table = Table(title="Checks", show_header=False, title_justify="left")
    for check in checks:
        mark = "[green]✓[/green]" if check.ok else "[red]✗[/red]"
        if check.skipped:
            mark = "[dim]–[/dim]"
        table.add_row(mark, check.name, escape(check.detail))
    console.print(table)
