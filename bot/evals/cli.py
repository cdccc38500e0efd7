"""`coach eval …`: thin commands over bot.evals (run, list, report, open, compare, harvest)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.textsafety import clean_text

if TYPE_CHECKING:
    from rich.progress import TaskID

    from bot.evals.compare import CaseDelta
    from bot.evals.results import CaseResult, RunResult
    from bot.evals.runner import Plan
    from bot.settings import Settings

eval_app = typer.Typer(
    help="Prompt evals: simulated users through the real coach, checks, judges, reports.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]✗[/red] {message}", highlight=False)
    return typer.Exit(code)


def _settings() -> Settings:
    """The configured settings, or one clear line and exit 2 (as `coach` itself says it)."""
    from bot.errors import SettingsError
    from bot.settings import load_settings

    try:
        return load_settings()
    except SettingsError as error:
        raise _fail(escape(clean_text(str(error)))) from None


# Every command takes it, so it can follow the command name like any other option.
EvalsDir = Annotated[
    Path | None,
    typer.Option(
        "--evals-dir",
        file_okay=False,
        help="The evals folder (default: COACH_EVALS_DIR, else evals/ in the checkout).",
    ),
]


def _evals_dir(given: Path | None, settings: Settings | None = None) -> Path:
    """The evals folder this command uses, or one clear line and exit 2 when there is none.

    Call it before importing any other bot.evals module: those fix their folders when first
    imported, from the COACH_EVALS_DIR this puts in the environment (--evals-dir, else the
    setting from the environment or .env).
    """
    chosen = given or (settings or _settings()).coach_evals_dir
    if chosen is not None:
        chosen = chosen.expanduser().resolve()
        os.environ["COACH_EVALS_DIR"] = str(chosen)
    from bot.evals import cases

    if chosen is not None and chosen != cases.EVALS_DIR:  # imported too early: a bug, not a user's
        raise _fail(f"the eval modules were loaded for {cases.EVALS_DIR}, not {chosen}")
    problem = cases.missing_evals_dir(cases.EVALS_DIR)
    if problem:
        raise _fail(escape(problem))
    return cases.EVALS_DIR


@eval_app.command("run")
def run_command(
    cases: Annotated[str | None, typer.Option("--cases", help="Glob on case id or path.")] = None,
    tags: Annotated[
        str | None, typer.Option("--tags", help="Comma-separated: cases with all of them.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="The coach's chat model.")] = None,
    judge: Annotated[str | None, typer.Option("--judge", help="The judge model.")] = None,
    user_model: Annotated[
        str | None, typer.Option("--user-model", help="A model plays the user, in its own words.")
    ] = None,
    prompts: Annotated[
        str | None, typer.Option("--prompts", help="Pin prompt versions: feedback@2,draft@1.")
    ] = None,
    repeat: Annotated[
        int | None, typer.Option("--repeat", min=1, max=20, help="Judge each criterion N times.")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, max=32, help="Cases at once.")
    ] = None,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", min=0, help="Stop before spending more (GBP).")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="The simulated users' seed.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Estimate tokens and cost; call no model.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Ask the model again even for cached calls.")
    ] = False,
    max_tokens: Annotated[
        int | None,
        typer.Option(
            "--max-tokens",
            min=16,
            help="Cap each model reply (default: suite.yaml, else COACH_LLM_MAX_TOKENS).",
        ),
    ] = None,
    max_turns: Annotated[
        int | None,
        typer.Option("--max-turns", min=2, help="Stop every conversation after N user turns."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where run folders and the call cache go (default: the evals folder's reports/).",
        ),
    ] = None,
    evals_dir: EvalsDir = None,
) -> None:
    """Run the cases and write evals/reports/<run-id>/; exit 1 below the suite's pass rate."""
    config = _settings()
    _evals_dir(evals_dir, config)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.errors import PromptError
    from bot.evals.cases import CaseError
    from bot.evals.report import write_report
    from bot.evals.results import REPORTS_DIR, run_folder
    from bot.evals.runner import EvalError, RunOptions, run_suite
    from bot.prompts import parse_pins

    out_dir = out_dir or REPORTS_DIR
    try:
        pins = parse_pins(prompts or "")
    except PromptError as error:
        raise _fail(f"--prompts: {error}") from None
    options = RunOptions(
        cases=cases,
        tags=[t.strip() for t in (tags or "").split(",") if t.strip()],
        model=model,
        judge=judge,
        user_model=user_model,
        prompts=pins,
        repeat=repeat,
        concurrency=concurrency,
        max_cost_gbp=max_cost,
        seed=seed,
        dry_run=dry_run,
        no_cache=no_cache,
        reports_dir=out_dir,
        max_output_tokens=max_tokens,
        max_turns=max_turns,
    )
    progress = Progress(
        TextColumn("[bold]Cases"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=out,
    )
    task: list[TaskID | None] = [None]

    def on_plan(plan: Plan) -> None:
        for note in plan.notes:
            out.print(note, highlight=False)
        if plan.mode == "llm":
            out.print(
                f"Coach model {plan.model}, judge {plan.judge_model or 'none'}, simulated user "
                f"{plan.user_model or 'rule-based'}; {len(plan.cases)} cases, "
                f"{plan.concurrency} at once." + (" Dry run: no model calls." if dry_run else ""),
                highlight=False,
            )
        if dry_run and plan.mode == "guided":
            return
        out.print("Preparing the knowledge index (once for the whole run)…")
        progress.start()
        task[0] = progress.add_task("cases", total=len(plan.cases), last="")

    def on_case(result: CaseResult) -> None:
        mark = {"passed": "[green]✓", "failed": "[red]✗", "error": "[red]!"}.get(
            result.status, "[grey50]–"
        )
        if task[0] is not None:
            progress.update(task[0], advance=1, last=f"{mark} {result.id}[/]")

    try:
        run = run_suite(config, options, on_plan=on_plan, on_case=on_case)
    except (CaseError, EvalError) as error:
        progress.stop()
        raise _fail(str(error)) from None
    finally:
        progress.stop()
    if dry_run:
        _print_estimate(run)
        return
    path = write_report(run, run_folder(run.run_id, out_dir))
    _print_outcome(run, path)
    if not run.gate_passed:
        raise typer.Exit(1)


def _print_estimate(run: RunResult) -> None:
    totals = run.totals
    if run.coach_mode == "guided":
        out.print(run.notes[-1], highlight=False)
        return
    out.print(
        f"Dry run: {int(totals['estimated_calls'])} model calls would be made "
        f"({int(totals['cache_hits'])} more are cached), about "
        f"{int(totals['prompt_tokens'] + totals['completion_tokens']):,} tokens, "
        f"estimated £{totals['cost_gbp']:.4f}. Nothing was spent and no report written.",
        highlight=False,
    )


def _print_outcome(run: RunResult, path: Path) -> None:
    bad = [c for c in run.cases if c.status != "passed"]
    if bad:
        table = Table("case", "result", "stopped", "failing checks", title="Cases not passed")
        for case in bad:
            failing = [c.name for c in case.checks if c.status in ("failed", "error")]
            table.add_row(case.id, case.status, case.stop_reason, ", ".join(failing) or case.error)
        out.print(table)
    t = run.totals
    verdict = "[green]gate passed" if run.gate_passed else "[red]GATE FAILED"
    out.print(
        f"{int(t['passed'])}/{len(run.cases)} cases passed ({run.pass_rate:.0%}; gate "
        f"{run.pass_threshold:.0%}): {verdict}"
        f"[/]. Model calls {int(t['calls'])}, cache hits {int(t['cache_hits'])}, tokens "
        f"{int(t['prompt_tokens'] + t['completion_tokens']):,}, £{t['cost_gbp']:.4f}, "
        f"{run.seconds:.0f} s.",
        highlight=False,
    )
    if t.get("judged_not_run"):
        out.print(f"{int(t['judged_not_run'])} judged checks not run (no judge model).")
    if t.get("judge_errors"):
        out.print(
            f"[red]{int(t['judge_errors'])} judge replies could not be parsed[/] (see report)."
        )
    out.print(f"Report: {path}", highlight=False)


@eval_app.command("list")
def list_command(evals_dir: EvalsDir = None) -> None:
    """Past runs, newest first."""
    _evals_dir(evals_dir)
    from bot.evals.results import list_runs, load_run

    table = Table("run", "coach", "model", "cases", "pass rate", "gate", "calls", "cost £")
    for folder in list_runs():
        try:
            run = load_run(str(folder))
        except (ValueError, OSError):
            table.add_row(folder.name, "?", "", "", "", "unreadable", "", "")
            continue
        table.add_row(
            run.run_id,
            run.coach_mode,
            run.model or "–",
            str(len(run.cases)),
            f"{run.pass_rate:.0%}",
            "passed" if run.gate_passed else "failed",
            str(int(run.totals.get("calls", 0))),
            f"{run.totals.get('cost_gbp', 0):.4f}",
        )
    out.print(table)


def _load(ref: str) -> RunResult:
    """A run by id, folder or 'latest' (the caller has checked the evals folder first)."""
    from bot.evals.results import load_run

    try:
        return load_run(ref)
    except FileNotFoundError as error:
        raise _fail(str(error)) from None


@eval_app.command("report")
def report_command(
    run_id: Annotated[str, typer.Argument(help="Run id, folder or 'latest'.")],
    evals_dir: EvalsDir = None,
) -> None:
    """Re-render summary.md and report.html from a run's results.json."""
    _evals_dir(evals_dir)
    from bot.evals.report import write_report
    from bot.evals.results import run_folder

    run = _load(run_id)
    out.print(f"Report: {write_report(run, run_folder(run.run_id))}", highlight=False)


@eval_app.command("open")
def open_command(
    run_id: Annotated[str, typer.Argument(help="Run id or 'latest'.")],
    evals_dir: EvalsDir = None,
) -> None:
    """Print the path of a run's report.html (open it in any browser: it needs no network)."""
    _evals_dir(evals_dir)
    from bot.evals.results import run_folder

    run = _load(run_id)
    print(run_folder(run.run_id).resolve() / "report.html")


@eval_app.command("compare")
def compare_command(
    run_a: Annotated[str, typer.Argument(help="The baseline run (A).")],
    run_b: Annotated[str, typer.Argument(help="The candidate run (B).")],
    evals_dir: EvalsDir = None,
) -> None:
    """Side by side per case and criterion; exits 1 when a case that passed in A fails in B."""
    _evals_dir(evals_dir)
    from bot.evals.compare import compare_runs, write_compare
    from bot.evals.results import REPORTS_DIR

    cmp = compare_runs(_load(run_a), _load(run_b))
    # Case ids and lost checks are what a maintainer looks up next: folded, never cut short.
    table = Table("change")
    table.add_column("case", overflow="fold", min_width=12)
    for heading in ("A → B", "rubric %", "turns", "tokens"):
        table.add_column(heading)
    table.add_column("lost checks", overflow="fold", min_width=10)
    changed = [d for d in cmp.cases if d.change != "same"]
    for d in changed:
        style = {"regression": "red", "new failure": "red", "fixed": "green"}.get(d.change, "")
        table.add_row(
            f"[{style}]{d.change}[/]" if style else d.change,
            d.id,
            f"{d.a.status if d.a else '–'} → {d.b.status if d.b else '–'}",
            _pair(d, "rubric"),
            _pair(d, "turns"),
            _pair(d, "tokens"),
            ", ".join(d.checks_lost),
        )
    if changed:
        out.print(table)
    else:
        out.print("No case changed between A and B.")
    for name, a, b in cmp.expectations:
        if a is not None and b is not None and b < a:
            out.print(f"[red]▼ {name}: {a:.0%} → {b:.0%}[/]", highlight=False)
    out.print(
        f"{len(cmp.regressions)} regressions; pass rate {cmp.a.pass_rate:.0%} → "
        f"{cmp.b.pass_rate:.0%}. Report: {write_compare(cmp, REPORTS_DIR)}",
        highlight=False,
    )
    if cmp.regressions:
        raise typer.Exit(1)


def _pair(delta: CaseDelta, name: str) -> str:
    """'80 → 95' for one metric of a case in A and B; '–' where a run has no value."""
    values = [delta.metric(side, name) for side in ("a", "b")]
    return " → ".join("–" if v is None else f"{v:,.0f}" for v in values)


@eval_app.command("harvest")
def harvest_command(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only 👎 votes on or after this date (YYYY-MM-DD)."),
    ] = None,
    evals_dir: EvalsDir = None,
) -> None:
    """Turn drafts that got a 👎 into persona cards under evals/cases/harvested/ for review,
    and list the knowledge answers that got one."""
    from datetime import UTC

    config = _settings()
    _evals_dir(evals_dir, config)
    from bot.evals.harvest import harvest
    from bot.runtime import voted_down

    when = None
    if since:
        try:
            when = datetime.fromisoformat(since).replace(tzinfo=UTC)
        except ValueError:
            raise _fail(f"--since {since!r} is not a date like 2026-11-01") from None
    drafts, answers = voted_down(config, when)
    written = harvest(drafts)
    for item in written:
        out.print(f"{item.path} ({item.votes} 👎)", highlight=False)
    out.print(f"{len(written)} case files written: review them before committing.")
    # Knowledge answers have no conversation to replay as a case: they are listed for a
    # maintainer to read (question and sources, as the privacy guard left them).
    for answer in answers:
        sources = "; ".join(answer.sources) or "no sources"
        out.print(
            f"👎 {answer.votes_down}: {escape(clean_text(answer.question))} "
            f"({escape(clean_text(sources))})",
            highlight=False,
        )
    if answers:
        out.print(f"Knowledge answers voted down: {len(answers)} (newest first).")
