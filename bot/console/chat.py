"""`coach chat`: the coaching conversation in a terminal, or line by line through a pipe.

A thin adapter: slash commands that concern the terminal (new, list, open, export, share, quit)
are handled here; everything the user says goes to `Engine.handle`, and drafts are listed,
shared and exported through `engine.drafts`, never the store. Replies are shown from what they
carry. The current draft is linked to the user's console conversation, so a restarted (or
killed) chat resumes where it stopped.
"""

from __future__ import annotations

import re
import select
import shlex
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from bot.coaching.engine import Engine
from bot.coaching.reply import Reply
from bot.console import WORKSPACE
from bot.console.brief import draft_panel
from bot.console.safe import plain, shown
from bot.drafts.formats import export_format, format_names
from bot.drafts.records import Actor
from bot.errors import DraftNotFound, NotOwner
from bot.settings import Settings

HELP = """\
Commands:
  /new TITLE      start a new draft
  /list           your drafts and those shared with you
  /open ID        continue a draft
  /show           where you are in the current draft
  /draft          compose the draft now from what you have answered
  /back           go back one question        /skip   move on, keeping any answer
  /edit STAGE     jump to a stage (context, affected, evidence, cause, outcome, value, risks)
  /accept         mark the draft final
  /export md|docx write the latest version to a file
  /share USER     let another user see and work on this draft
  /unshare USER   take that access away again
  /help           this list                   /quit   leave (everything is saved)
Anything else is your answer. End a message with ? to ask the knowledge base instead."""


@dataclass
class ChatSession:
    """One user's console conversation: which draft is current, and how to show replies."""

    engine: Engine
    settings: Settings
    actor: Actor
    console: Console
    rich_output: bool

    @property
    def exports_dir(self) -> Path:
        return self.settings.coach_data_dir / "exports"

    @property
    def key(self) -> str:
        return f"console:{self.actor.workspace_id}:{self.actor.user_id}"

    def current_id(self) -> str | None:
        draft = self.engine.current(self.key, self.actor)
        return draft.id if draft else None

    # -- output -------------------------------------------------------------------------------
    # Everything printed may hold what a collaborator typed or a knowledge file says: it goes
    # through `plain` (no terminal escapes) and, inside rich markup, `shown` (markup escaped).
    def say(self, text: str, style: str = "") -> None:
        if self.rich_output:
            self.console.print(plain(text), style=style or None, highlight=False, markup=False)
        else:
            print(plain(text), flush=True)

    def show(self, reply: Reply) -> None:
        if not self.rich_output:
            print(without_emphasis(plain(reply.as_text())) + "\n", flush=True)
            return
        for notice in reply.notices:
            self.console.print(f"[yellow]⚠ {shown(notice)}[/yellow]", highlight=False)
        if reply.progress:
            self.console.print(f"[dim]{shown(reply.progress)}[/dim]", highlight=False)
        if reply.text:
            style = "red" if reply.kind == "error" else ""
            self.console.print(Markdown(keep_lines(plain(reply.text))), style=style or None)
        panel = draft_panel(reply)
        if panel is not None:
            self.console.print(panel)
        for tip in reply.tips:
            self.console.print(
                f"[dim]Tip: {shown(tip.text)}\n"
                f"    — {shown(tip.citation.where)}: {shown(tip.citation.link)}[/dim]",
                highlight=False,
            )
        if reply.question:
            self.console.print(f"\n[bold cyan]{shown(reply.question)}[/bold cyan]", highlight=False)
            if reply.hint:
                self.console.print(f"[dim]{shown(reply.hint)}[/dim]", highlight=False)

    # -- commands -----------------------------------------------------------------------------
    def run_command(self, line: str) -> bool:
        """Handle a /command; False means quit."""
        try:
            parts = shlex.split(line[1:])
        except ValueError:
            parts = line[1:].split()
        name, args = (parts[0].lower(), parts[1:]) if parts else ("help", [])
        handler = self.commands().get(name)
        if handler is None:
            self.say(f"Unknown command /{name}.\n{HELP}")
            return True
        try:
            return handler(args) is not False
        except DraftNotFound:
            self.say("No such draft, or it is not shared with you. /list shows yours.")
        except NotOwner:
            self.say("Only the draft's owner can do that.")
        except ValueError as error:  # e.g. a share target that is not a user id
            self.say(f"{error}.")
        return True

    def commands(self) -> dict[str, Callable[[list[str]], bool | None]]:
        return {
            "help": lambda _a: self.say(HELP),
            "quit": lambda _a: False,
            "exit": lambda _a: False,
            "new": self.cmd_new,
            "list": self.cmd_list,
            "open": self.cmd_open,
            "show": lambda _a: self.with_draft(lambda d: self.engine.open(self.actor, d)),
            "draft": lambda _a: self.with_draft(lambda d: self.engine.compose(self.actor, d)),
            "back": lambda _a: self.with_draft(lambda d: self.engine.back(self.actor, d)),
            "skip": lambda _a: self.with_draft(lambda d: self.engine.skip(self.actor, d)),
            "accept": lambda _a: self.with_draft(lambda d: self.engine.accept(self.actor, d)),
            "edit": self.cmd_edit,
            "export": self.cmd_export,
            "share": self.cmd_share,
            "unshare": self.cmd_unshare,
        }

    def with_draft(self, action: Callable[[str], Reply]) -> None:
        draft_id = self.current_id()
        if draft_id is None:
            self.say("No draft open. Start one with /new TITLE, or /list and /open ID.")
            return
        self.show(action(draft_id))

    def cmd_new(self, args: list[str]) -> None:
        title = " ".join(args).strip()
        if not title:
            self.say("Give the draft a title: /new Faster discharge to care homes")
            return
        self.show(self.engine.start(self.actor, title, conversation_key=self.key))

    def cmd_list(self, _args: list[str]) -> None:
        drafts = self.engine.drafts.list(self.actor)
        if not drafts:
            self.say("No drafts yet. Start one with /new TITLE.")
            return
        current = self.current_id()
        if not self.rich_output:
            for d in drafts:
                score = "–" if d.latest_score is None else f"{d.latest_score}%"
                mark = "*" if d.id == current else " "
                owner = f" (shared by {d.owner_id})" if d.shared else ""
                line = f"{mark} {d.id}  {d.title}  [{d.status}, {d.question_key}, {score}]{owner}"
                print(plain(line))
            return
        table = Table("", "id", "title", "status", "stage", "score", "owner", "updated")
        for d in drafts:
            table.add_row(
                "▶" if d.id == current else "",
                d.id,
                shown(d.title),
                d.status,
                d.question_key,
                "–" if d.latest_score is None else f"{d.latest_score}%",
                shown(d.owner_id) + (" (shared)" if d.shared else ""),
                d.updated_at.strftime("%d %b %H:%M"),
            )
        self.console.print(table)

    def cmd_open(self, args: list[str]) -> None:
        if not args:
            self.say("Which draft? /open ID (see /list)")
            return
        self.show(self.engine.open(self.actor, args[0], conversation_key=self.key))

    def cmd_edit(self, args: list[str]) -> None:
        if not args:
            self.say(
                "Which stage? /edit evidence (or context, affected, cause, outcome, value, risks)"
            )
            return
        self.with_draft(lambda d: self.engine.edit(self.actor, d, " ".join(args)))

    def cmd_export(self, args: list[str]) -> None:
        chosen = export_format(args[0] if args else "md")
        if chosen is None:
            self.say(f"Export as {format_names()}: /export docx")
            return
        draft_id = self.current_id()
        if draft_id is None:
            self.say("No draft open to export.")
            return
        path = self.engine.drafts.export(self.actor, draft_id, chosen.name, self.exports_dir)
        self.say(f"Saved {path}")

    def cmd_share(self, args: list[str]) -> None:
        user = args[0].lstrip("@").strip() if args else ""
        if not user:
            self.say("Share with whom? /share USER")
            return
        draft_id = self.current_id()
        if draft_id is None:
            self.say("No draft open to share.")
            return
        self.engine.drafts.share(self.actor, draft_id, user)
        self.say(f"Shared with {user}: they can /open {draft_id}.")

    def cmd_unshare(self, args: list[str]) -> None:
        user = args[0].lstrip("@").strip() if args else ""
        if not user:
            self.say("Stop sharing with whom? /unshare USER")
            return
        draft_id = self.current_id()
        if draft_id is None:
            self.say("No draft open.")
            return
        if self.engine.drafts.unshare(self.actor, draft_id, user):
            self.say(f"{user} can no longer see or work on {draft_id}.")
        else:
            self.say(f"{draft_id} was not shared with {user}.")

    # -- conversation -------------------------------------------------------------------------
    def message(self, text: str) -> None:
        draft_id = self.current_id()
        if draft_id is None:  # what they typed (or pasted) first is their first answer
            self.show(
                self.engine.start(self.actor, "", opening_text=text, conversation_key=self.key)
            )
            return
        self.show(self.engine.handle(self.actor, draft_id, text))

    def greet(self) -> None:
        self.say("Partnership Coach — let's agree a problem statement and value proposition.")
        draft_id = self.current_id()
        if draft_id:
            self.show(self.engine.open(self.actor, draft_id))
        else:
            self.say(
                "Start with /new TITLE, or just tell me what you want to work on. /help for more."
            )


_EMPHASIS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def without_emphasis(text: str) -> str:
    """Coach replies mark words **bold** for a terminal that draws Markdown; a pipe or a file
    gets the words alone, as a reader of plain text expects."""
    return _EMPHASIS.sub(r"\1", text)


PASTE_GAP_S = 0.05  # lines arriving closer together than this were pasted, not typed


def keep_lines(text: str) -> str:
    """Coach replies as Markdown that keeps their line breaks.

    Replies put each point on its own line ("• Say where they are…"); Markdown would run those
    lines into one paragraph, so bullets become list items and other single line breaks hard
    breaks.
    """
    lines = text.split("\n")
    out = []
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith("• "):
            out.append("- " + stripped[2:])
            continue
        follows = number + 1 < len(lines) and lines[number + 1].strip()
        out.append(line + "  " if line.strip() and follows else line)
    return "\n".join(out)


def _pasted_lines() -> list[str]:
    """Lines already waiting on a terminal: the rest of a multi-line paste."""
    lines: list[str] = []
    while select.select([sys.stdin], [], [], PASTE_GAP_S)[0]:
        line = sys.stdin.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
    return lines


def _lines(interactive: bool, console: Console) -> Iterator[str]:
    """Messages: at a terminal a multi-line paste is ONE message; a pipe gives one per line."""
    if interactive:
        while True:
            try:
                first = console.input("[bold green]you ›[/bold green] ")
            except EOFError:
                return
            yield "\n".join([first, *_pasted_lines()])
    else:
        for line in sys.stdin:
            yield line.rstrip("\n")


def chat_loop(engine: Engine, settings: Settings, user: str, console: Console) -> None:
    interactive = sys.stdin.isatty()
    session = ChatSession(engine, settings, Actor(WORKSPACE, user), console, interactive)
    session.greet()
    try:
        for line in _lines(interactive, console):
            text = line.strip()
            if not text:
                continue
            if text.startswith("/"):
                if not session.run_command(text):
                    break
            else:
                session.message(text)
    except KeyboardInterrupt:
        pass
    session.say("Saved. Bye for now.")
