"""`coach ask` and the question loop: knowledge-base answers with their sources."""

from __future__ import annotations

import json
from collections.abc import Iterable

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.prompt import Prompt

from bot.console.safe import plain, shown
from bot.privacy import redact_text
from bot.retrieval.passage import Passage
from bot.retrieval.search import KnowledgeSearch
from bot.settings import Settings

MAX_QUESTION_CHARS = 2000


def print_passages(console: Console, question: str, passages: list[Passage]) -> None:
    if not passages:
        console.print("Nothing in the knowledge base matches that question.")
        return
    for rank, passage in enumerate(passages, start=1):
        where = shown(passage.path) + (f" › {shown(passage.heading)}" if passage.heading else "")
        console.print(
            Panel(
                Markdown(plain(passage.text)),
                title=f"[bold]{rank}. {shown(passage.title)}[/bold]  [dim]{passage.kind}[/dim]",
                title_align="left",
                subtitle=f"[dim]{where} · score {passage.score:.2f}[/dim]",
                subtitle_align="left",
            )
        )
    sources = sorted({p.source + (f" — {p.url}" if p.url else "") for p in passages})
    console.print("Sources:", style="dim", highlight=False)
    for source in sources:
        line = f"  {plain(source)}"
        console.print(line, style="dim", highlight=False, markup=False, soft_wrap=True)


def answer_lines(
    search: KnowledgeSearch,
    lines: Iterable[str],
    *,
    k: int,
    kind: str | None,
    as_json: bool,
    console: Console,
) -> None:
    """One question per line; one JSON list (or block of passages) per line, model loaded once."""
    for line in lines:
        question = line.strip()[:MAX_QUESTION_CHARS]
        # guarded before the search: with EMBEDDINGS=openai the question leaves the machine
        question = redact_text(question)
        passages = search.search(question, k=k, kind=kind) if question else []
        if as_json:
            print(json.dumps([p.as_json() for p in passages], ensure_ascii=False), flush=True)
        elif question:
            print_passages(console, question, passages)


def question_loop(settings: Settings, console: Console) -> None:
    """Ask questions in your own words until you type /quit or press Ctrl-D."""
    search = KnowledgeSearch(settings)
    console.print(
        f"[bold]Partnership Coach[/bold] — ask the knowledge base "
        f"({search.passage_count} passages). /quit to leave.",
        highlight=False,
    )
    while True:
        try:
            question = Prompt.ask("[bold cyan]you[/bold cyan]", console=console).strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if question in {"/quit", "/exit", "/q"}:
            return
        if not question:
            continue
        if len(question) > MAX_QUESTION_CHARS:
            console.print(
                f"[yellow]That is long; I used the first {MAX_QUESTION_CHARS} characters.[/yellow]"
            )
            question = question[:MAX_QUESTION_CHARS]
        question = redact_text(question)  # as in answer_lines: it may go to an embedding API
        print_passages(console, question, search.search(question, k=3))
