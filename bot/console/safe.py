"""Untrusted text made safe to print in a terminal.

Drafts are shared, so what one user typed is printed in another user's terminal: an escape
sequence could retitle or recolour it, and text such as `[/bold]` would be read by rich as markup
(and a stray closing tag raises, which would break `coach drafts list` for everyone a draft is
shared with). Every piece of user or knowledge text goes through `shown` (inside rich markup) or
`plain` (printed as is, or handed to rich's Markdown, which does not parse markup).
"""

from __future__ import annotations

from rich.markup import escape

from bot.textsafety import clean_text


def plain(text: object) -> str:
    """Text with terminal escapes and control characters (except newline and tab) removed."""
    return clean_text(str(text))


def shown(text: object) -> str:
    """`plain`, with rich markup escaped: safe inside an f-string passed to console.print."""
    return escape(plain(text))
