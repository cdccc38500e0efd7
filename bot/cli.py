"""The `coach` command. Heavy libraries are imported inside commands, so `--help` is instant.

Start-up time is a feature here (`make bench` measures it): at module level this file imports
only Typer, Rich and the light error helpers. Settings (pydantic-settings), the store
(SQLAlchemy) and everything heavier load inside the command that needs them, and the drafts
commands reach drafts through `DraftsService`, never the coaching engine with its models.

Every failure ends in one line on stderr and a non-zero exit, never a traceback (`main`), and
everything the process creates is owner-only (a 077 umask, see bot/private_files.py).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from bot.drafts.formats import export_format, format_names
from bot.errors import UserFacingError
from bot.failures import describe_failure
from bot.private_files import OWNER_ONLY_UMASK

if TYPE_CHECKING:  # loaded by the commands that use them, so `--help` never pays for them
    from bot.coaching.drafts_service import DraftsService
    from bot.settings import Settings

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
    from bot.console.safe import shown

    err.print(f"[red]✗[/red] {shown(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings() -> Settings:
    from bot.errors import SettingsError
    from bot.settings import load_settings

    try:
        return load_settings()
    except SettingsError as error:
        fail(str(error), code=2)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Known failures (missing index, unreadable database…) become one clear line."""
    try:
        yield
    except UserFacingError as error:
        fail(str(error))


def drafts_service(config: Settings | None = None) -> DraftsService:
    """The drafts front door over the configured store, without building a coaching engine.

    Listing or exporting a draft needs no embedding model, knowledge index or LLM client, so
    these commands open just the store (SQLAlchemy) and wrap it the way `engine.drafts` does.
    """
    from bot.runtime import open_drafts

    with friendly_errors():
        return open_drafts(config or settings())


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
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Only check the knowledge base (sources, source_url, reviewed, sections); "
            "exit 1 naming each failing file. Reviews older than 12 months and unsourced "
            "figures in cases are warned about, not failed.",
        ),
    ] = False,
) -> None:
    """Build or refresh the knowledge index (incremental: unchanged files cost nothing)."""
    from bot.console.indexing import run_index

    config = settings()
    if path is not None and not path.exists():
        fail(f"{path} does not exist.")
    if check:
        check_knowledge_base(path or config.coach_knowledge_dir, config.coach_knowledge_dir)
        return
    with friendly_errors():
        run_index(config, out, add_path=path, rebuild=rebuild)


def check_knowledge_base(root: Path, knowledge_dir: Path) -> None:
    """`coach index --check`: one line per problem, exit 1 if there is any; warnings (a review
    older than 12 months, an unsourced figure in a case) are listed but never fail the check."""
    from bot.retrieval.documents import discover
    from bot.retrieval.kbcheck import check_knowledge, warn_knowledge

    if not root.exists():
        fail(f"{root} does not exist.")
    problems = check_knowledge(root, knowledge_dir)
    warnings = warn_knowledge(root, knowledge_dir)
    for problem in problems:
        err.print(f"✗ {problem}", highlight=False, markup=False, soft_wrap=True)
    for warning in warnings:
        err.print(f"⚠ {warning}", highlight=False, markup=False, soft_wrap=True)
    files = len(discover(root))
    if problems:
        failing = len({p.path for p in problems})
        fail(f"{failing} of {files} knowledge files fail the check.")
    noted = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
    out.print(f"✓ {files} knowledge files pass the check{noted}.", highlight=False)


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="Your question, or - to read one per line.")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many passages.")] = 5,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only framework, guide or case passages.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Ask the knowledge base a question: a short cited answer, then the passages it drew on."""
    from bot.console.asking import answer_lines, guarded_question, print_answer
    from bot.retrieval.answering import answer
    from bot.retrieval.documents import KINDS
    from bot.retrieval.search import KnowledgeSearch

    if kind is not None and kind not in KINDS:
        fail(f"--kind must be one of {', '.join(KINDS)} (got {kind!r}).", code=2)
    config = settings()
    with friendly_errors():
        search = KnowledgeSearch(config)
        if question == "-":
            answer_lines(search, sys.stdin, k=k, kind=kind, as_json=as_json, console=out)
            search.keep_what_was_learnt()
            return
        if not question.strip():
            fail("The question is empty.", code=2)
        question = guarded_question(question)  # before the search: it may go to an embedding API
        found = answer(search, question, k=k, kind=kind)
        if as_json:
            print(json.dumps(found.as_json(), ensure_ascii=False))
        else:
            print_answer(out, found)
        search.keep_what_was_learnt()  # sentences met for the first time, kept for next time


# -- health -----------------------------------------------------------------------------------
@app.command("doctor")
def doctor_command(
    deep: Annotated[
        bool,
        typer.Option(
            "--deep", help="Also load the embedding and name models and try each on a sentence."
        ),
    ] = False,
) -> None:
    """Show the effective configuration (secrets masked) and check every component."""
    from bot.doctor import print_report, run_checks

    config = settings()
    results = run_checks(config, deep=deep)
    print_report(out, config, results)
    if any(not r.ok for r in results):
        raise typer.Exit(1)


# -- coaching ---------------------------------------------------------------------------------
def _other_owners() -> list[tuple[str, int]]:
    from bot.console import WORKSPACE
    from bot.runtime import draft_owners

    with friendly_errors():
        return draft_owners(settings(), WORKSPACE)


def default_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        help="Act as this user id (default: your login name). The CLI trusts whoever runs it: "
        "it is for the operator of this machine, not an authenticated identity.",
    ),
]


@app.command("chat")
def chat_command(user: UserOption = None) -> None:
    """Coach a problem statement and value proposition in the terminal, stage by stage."""
    import logging

    from bot.console.chat import chat_loop
    from bot.runtime import build_engine, warm_up_in_background

    # The chat is the user's screen: operational warnings (a missing index means no tips) must
    # not print over it as raw log lines; the replies say what the user needs to know.
    logging.getLogger("bot").addHandler(logging.NullHandler())
    config = settings()
    with friendly_errors():
        engine = build_engine(config)
        # At a terminal, load the models while the user types; piped input needs them at once,
        # so it loads on first use instead.
        warming = warm_up_in_background(engine) if sys.stdin.isatty() else None
        try:
            chat_loop(engine, config, user or default_user(), out)
        finally:
            if warming is not None:
                # Exiting while another thread is still loading torch aborts the process
                # ("terminate called without an active exception"): let it finish first.
                warming.join()


drafts_app = typer.Typer(help="List, show and export drafts.", no_args_is_help=True)
app.add_typer(drafts_app, name="drafts")


@drafts_app.command("list")
def drafts_list(
    user: UserOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Your drafts and those shared with you, newest first."""
    from bot.console import WORKSPACE
    from bot.console.safe import shown
    from bot.drafts.records import Actor

    drafts = drafts_service().list(Actor(WORKSPACE, user or default_user()))
    if as_json:
        rows = [
            {
                "id": d.id,
                "title": d.title,
                "owner": d.owner_id,
                "status": d.status,
                "stage": d.question_key,
                "score": d.latest_score,
                "shared": d.shared,
                "updated_at": d.updated_at.isoformat(),
            }
            for d in drafts
        ]
        print(json.dumps(rows, ensure_ascii=False))
        return
    if not drafts:
        others = [] if user else _other_owners()
        if others:
            # The chat may have been run as another user id (`--user`): say whose they are.
            named = ", ".join(f"{shown(owner)} ({count})" for owner, count in others[:5])
            out.print(
                f"No drafts for {shown(default_user())} (your login name). "
                f"Drafts here belong to: {named}. Add --user ID to list theirs.",
                highlight=False,
            )
            return
        # A fixed sentence: rich's highlighter would only compile its patterns to colour nothing.
        out.print("No drafts yet. Start one with `coach chat`.", highlight=False)
        return
    from rich.table import Table

    table = Table("id", "title", "status", "stage", "score", "owner", "updated")
    for d in drafts:
        score = "–" if d.latest_score is None else f"{d.latest_score}%"
        owner = shown(d.owner_id) + (" (shared)" if d.shared else "")
        when = f"{d.updated_at:%d %b %H:%M}"
        table.add_row(d.id, shown(d.title), d.status, d.question_key, score, owner, when)
    out.print(table)


@drafts_app.command("show")
def drafts_show(
    draft_id: Annotated[str, typer.Argument(help="The draft id (see `coach drafts list`).")],
    user: UserOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One draft: the latest version, its rubric and its history."""
    from rich.markdown import Markdown

    from bot.console import WORKSPACE
    from bot.console.safe import plain
    from bot.drafts.records import Actor
    from bot.errors import DraftNotFound

    drafts = drafts_service()
    actor = Actor(WORKSPACE, user or default_user())
    try:
        if as_json:
            document = drafts.as_dict(actor, draft_id)
        else:
            brief = drafts.render(actor, draft_id, "md").decode("utf-8")
    except DraftNotFound:
        fail(f"No draft {draft_id} is visible to you.")
    if as_json:
        print(json.dumps(document, ensure_ascii=False, default=str))
    else:
        out.print(Markdown(plain(brief)))


@drafts_app.command("export")
def drafts_export(
    draft_id: Annotated[str, typer.Argument(help="The draft id.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"{format_names()}.")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
    user: UserOption = None,
) -> None:
    """Write a draft as Markdown or Word, laid out for a partnership meeting."""
    from bot.console import WORKSPACE
    from bot.drafts.records import Actor
    from bot.errors import DraftNotFound

    chosen = export_format(fmt)
    if chosen is None:
        fail(f"--format must be {format_names()}.", code=2)
    config = settings()
    actor = Actor(WORKSPACE, user or default_user())
    try:
        drafts = drafts_service(config)
        folder = config.coach_data_dir / "exports"
        path = drafts.export(actor, draft_id, chosen.name, folder, output)
    except DraftNotFound:
        fail(f"No draft {draft_id} is visible to you.")
    out.print(f"Wrote {escape(str(path))}", highlight=False)


# -- Slack -----------------------------------------------------------------------------------
@app.command("slack")
def slack_command() -> None:
    """Run the Slack app: Socket Mode with SLACK_APP_TOKEN, otherwise HTTP on PORT."""
    import logging

    config = settings()
    if not config.slack_bot_token:
        fail("SLACK_BOT_TOKEN is not set: see the README section 'Install in Slack'.", code=2)
    if not (config.slack_app_token or config.slack_signing_secret):
        fail("Set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode).", code=2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from bot.retrieval.search import KnowledgeSearch
    from bot.runtime import build_engine, warm_up_in_background
    from bot.slack.app import create_app
    from bot.slack.server import serve

    search = KnowledgeSearch(config)
    engine = build_engine(config, search=search)
    bolt = create_app(config, engine)
    warm_up_in_background(engine)
    serve(config, bolt)


# -- prompt evals (commands in bot/evals/cli.py) -----------------------------------------------
from bot.evals.cli import eval_app  # noqa: E402  (light: heavy imports happen inside commands)

app.add_typer(eval_app, name="eval")


# -- main job ---------------------------------------------------------------------------------
def slack_configured(config: Settings) -> bool:
    return bool(config.slack_bot_token and (config.slack_app_token or config.slack_signing_secret))


@app.command("run")
def run_command(user: UserOption = None) -> None:
    """The main job: the Slack app when Slack is configured, else the coaching chat here."""
    if slack_configured(settings()):
        slack_command()
    else:
        chat_command(user)


def main() -> None:
    """The console script: owner-only files, tolerant text I/O, one line for any failure."""
    os.umask(OWNER_ONLY_UMASK)
    from bot.privacy import log_filter

    log_filter.install()  # every log line of every command passes the privacy guard
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        # Invalid UTF-8 piped in becomes U+FFFD instead of an exception that loses the rest of
        # the input; text that cannot be encoded on the way out is replaced, not fatal.
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrupted.", highlight=False)
        sys.exit(130)
    except Exception as error:
        if os.environ.get("COACH_DEBUG", "").lower() in ("1", "true", "yes"):
            raise
        err.print(
            f"[red]✗[/red] {escape(describe_failure(error, _database_url()))}",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)


def _database_url() -> str:
    """The configured drafts database, to name it (masked) in an error; "" if unknowable."""
    from bot.settings import load_settings

    try:
        return load_settings().effective_database_url
    except Exception:  # the settings themselves may be what failed
        return ""
