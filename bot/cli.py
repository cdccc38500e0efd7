"""The `coach` command. Heavy libraries are imported inside commands, so `--help` is instant."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from bot.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    name="coach",
    help="Partnership Coach: agree a problem statement and value proposition with your partners.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]✗[/red] {message}", highlight=False)
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        fail(str(error), code=2)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Known failures become one clear line instead of a traceback."""
    from bot.retrieval.vectorstore import EmbeddingMismatch, IndexMissing

    try:
        yield
    except (IndexMissing, EmbeddingMismatch) as error:
        fail(str(error))


# -- knowledge --------------------------------------------------------------------------------
@app.command("index")
def index_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="Extra file or folder of .md/.txt documents to add and remember."),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop the index and embed everything again.")
    ] = False,
) -> None:
    """Build or refresh the knowledge index (incremental: unchanged files cost nothing)."""
    from bot.console.indexing import run_index

    config = settings()
    if path is not None and not path.exists():
        fail(f"{path} does not exist.")
    with friendly_errors():
        run_index(config, out, add_path=path, rebuild=rebuild)


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="Your question, or - to read one per line.")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many passages.")] = 5,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only framework, guide or case passages.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Ask the knowledge base a question and see the best passages with their sources."""
    from bot.console.asking import answer_lines, print_passages
    from bot.retrieval.documents import KINDS
    from bot.retrieval.search import KnowledgeSearch

    if kind is not None and kind not in KINDS:
        fail(f"--kind must be one of {', '.join(KINDS)} (got {kind!r}).", code=2)
    config = settings()
    with friendly_errors():
        search = KnowledgeSearch(config)
        if question == "-":
            answer_lines(search, sys.stdin, k=k, kind=kind, as_json=as_json, console=out)
            return
        if not question.strip():
            fail("The question is empty.", code=2)
        passages = search.search(question, k=k, kind=kind)
        if as_json:
            print(json.dumps([p.as_json() for p in passages], ensure_ascii=False))
        else:
            print_passages(out, question, passages)


# -- health -----------------------------------------------------------------------------------
@app.command("doctor")
def doctor_command(
    deep: Annotated[
        bool, typer.Option("--deep", help="Also load the embedding model and embed a sentence.")
    ] = False,
) -> None:
    """Show the effective configuration (secrets masked) and check every component."""
    from bot.doctor import print_report, run_checks

    config = settings()
    results = run_checks(config, deep=deep)
    print_report(out, config, results)
    if any(not r.ok for r in results):
        raise typer.Exit(1)


# -- main job ---------------------------------------------------------------------------------
@app.command("run")
def run_command() -> None:
    """Start the best main job available: the question loop over the knowledge base."""
    from bot.console.asking import question_loop

    config = settings()
    with friendly_errors():
        question_loop(config, out)


def main() -> None:
    app()
