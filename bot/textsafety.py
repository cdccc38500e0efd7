"""Make untrusted text safe to store, print and export.

Text reaches the coach from terminals, pipes, Slack and knowledge files. Some of it is hostile or
merely broken: invalid UTF-8, NUL bytes (PostgreSQL refuses them, Word documents cannot hold
them), terminal escape sequences (which would recolour or retitle a collaborator's terminal when
the draft is shown to them) and bidirectional overrides (which make text read differently from
what it says). One function, `clean_text`, removes all of that at the point text enters the
product, *before* the privacy guard runs, so nothing later rebuilds what the guard has checked.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

# ANSI/VT escape sequences: CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), the other
# string commands (DCS, SOS, PM, APC) and two-byte escapes. Also the 8-bit C1 forms of CSI/OSC.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]          # CSI … final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)  # OSC/DCS/SOS/PM/APC
  | \x1b [ -/]* [0-~]                            # two-byte and nF escapes
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except tab and newline, DEL and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates ("Trojan Source"): they reorder what a
# reader sees without changing what is stored, so a draft could say one thing and show another.
_BIDI_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Lone surrogates arrive when bytes were decoded with surrogateescape (argv, some stdin locales);
# they cannot be encoded as UTF-8, so JSON output and databases would choke on them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def decode(data: bytes) -> str:
    """Bytes as text: UTF-8, with every invalid sequence replaced by U+FFFD rather than refused."""
    return data.decode("utf-8", errors="replace")


def clean_text(text: str) -> str:
    """Text fit to store: escapes, NUL and control characters (not newline or tab) removed.

    Carriage returns become newlines, so Windows line endings do not glue lines together.
    Idempotent and cheap; call it wherever user or file text enters the product.
    """
    if not text:
        return ""
    text = _SURROGATE.sub(REPLACEMENT, text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _CONTROL.sub("", text)
    return _BIDI_CONTROL.sub("", text)


def is_clean(text: str) -> bool:
    """True when `clean_text` would leave `text` unchanged."""
    return clean_text(text) == text
