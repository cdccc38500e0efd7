"""`coach index` in the terminal: a progress bar on long runs and a plain summary."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.console.safe import shown
from bot.retrieval.indexer import IndexReport, build_index
from bot.settings import Settings

PROGRESS_FROM = 40  # passages; below this a bar only flickers


def run_index(
    settings: Settings, console: Console, *, add_path: Path | None = None, rebuild: bool = False
) -> IndexReport:
    bar = Progress(
        TextColumn("Indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = None

    def advance(done: int, total: int) -> None:
        nonlocal task
        if total < PROGRESS_FROM:
            return
        if task is None:
            task = bar.add_task("index", total=total)
        bar.update(task, completed=done)

    with bar:
        report = build_index(settings, add_path=add_path, rebuild=rebuild, progress=advance)
    print_index_report(console, report)
    return report


def print_index_report(console: Console, report: IndexReport) -> None:
    for repair in report.repairs:
        console.print(f"[yellow]! repaired: {shown(repair)}[/yellow]", highlight=False)
    for bad in report.bad:
        console.print(
            f"[yellow]! skipped {shown(bad.path)}: {shown(bad.reason)}[/yellow]",
            highlight=False,
        )
    console.print(
        f"Files: {report.files} ({report.files_new} new, {report.files_changed} changed, "
        f"{report.files_unchanged} unchanged, {report.files_removed} removed"
        + (f", {len(report.bad)} skipped" if report.bad else "")
        + ")",
        highlight=False,
    )
    console.print(
        f"Passages: {report.passages} — added {report.added}, updated {report.updated}, "
        f"skipped {report.skipped}, deleted {report.deleted} "
        f"[dim]({report.embedding_model}, {report.seconds:.1f} s)[/dim]",
        highlight=False,
    )
