"""The draft brief in a terminal, drawn from the reply the engine gave (not read again).

Like Slack's Block Kit and the Markdown and Word exports, the console renders the draft's one
outline (`bot/drafts/outline.py`) its own way: headings and paragraphs as Markdown, the value
table and the rubric as rich tables. Everything in a draft may have been typed by a
collaborator or written by a model, so it is guarded for identifiers (as an export is: a
version stored before the guard learned a format must not show through) and stripped of
terminal escapes before it is printed.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from bot.coaching.reply import Reply
from bot.console.safe import plain
from bot.drafts.outline import Block, Bullets, Paragraph, Scores, Sources, Table, outline
from bot.privacy import redact_model


def draft_panel(reply: Reply) -> Panel | None:
    """The brief a draft reply carries, in a green panel; None when it carries no draft."""
    if reply.content is None:
        return None
    content = redact_model(reply.content, keep=("sources",))
    rubric = redact_model(reply.rubric) if reply.rubric is not None else None
    parts: list[RenderableType] = [Markdown(plain(f"# {content.title}"))]
    parts.append(Text(plain("\n".join(_byline(reply, content.partners)))))
    for section in outline(content, rubric, reply.understood):
        parts.append(Markdown(plain(f"## {section.heading}")))
        parts.extend(_renderable(block) for block in section.blocks)
    spaced = [item for part in parts for item in (part, Text(""))][:-1]  # a blank line apart
    return Panel(Group(*spaced), title="Draft", border_style="green")


def _byline(reply: Reply, partners: list[str]) -> list[str]:
    """Who is in the partnership and which version this is, as the exported brief says it."""
    lines = [f"Partners: {', '.join(partners)}"] if partners else []
    when = reply.drafted_at
    dated = f"Date: {when.day} {when:%B %Y}" if when else ""
    version = f"Version {reply.version}" if reply.version else ""
    lines.append(" · ".join(part for part in (dated, version) if part))
    return [line for line in lines if line]


def _renderable(block: Block) -> RenderableType:
    if isinstance(block, Paragraph):
        return Markdown(plain(block.text))
    if isinstance(block, Bullets):
        if block.bulleted:
            return Markdown(plain("\n".join(f"- {item}" for item in block.items)))
        return Text(plain("\n".join(block.items)))  # each item carries its own mark (☐/☑)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Scores):
        return Group(_table(block.table), Text(plain(block.overall)))
    return _sources(block)


def _table(block: Table) -> RichTable:
    table = RichTable(box=box.SIMPLE)
    for header in block.headers:
        table.add_column(Text(plain(header), style="bold"))
    for row in block.rows:
        table.add_row(*(Text(plain(cell)) for cell in row))
    return table


def _sources(block: Sources) -> Text:
    return Text(plain("\n".join(f"• {c.where} — {c.link}" for c in block.citations)))
