"""Log lines pass the privacy guard too: a logged message must not become a copy of the data.

Libraries log what they are handed (Slack SDK request bodies at debug level, an exception whose
message quotes the text that failed), so filtering our own calls is not enough. :func:`install`
wraps the logging record factory: every record any logger creates, from any library, has its
message (arguments merged) and any exception text guarded before a handler can format it.
Records are created only for enabled levels, so a quiet logger costs nothing.

The guard may itself log (Presidio and spaCy log while loading); a thread-local flag passes
those records through untouched instead of recursing into the guard.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["RedactingFilter", "install"]

_inside = threading.local()
_install_lock = threading.Lock()
_installed = False


class RedactingFilter(logging.Filter):
    """Replaces a record's message (and exception text) with its guarded version; keeps it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(_inside, "active", False) or getattr(record, "privacy_guarded", False):
            return True
        _inside.active = True
        try:
            # loaded with the first record, not at install: a command that logs nothing (say
            # `coach drafts list`) never pays for the guard's patterns
            from bot.privacy.guard import redact_identifiers

            message = record.getMessage()
            guarded = redact_identifiers(message)
            if guarded.changed:
                record.msg, record.args = guarded.text, None
            if record.exc_info and not record.exc_text:
                text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
                record.exc_text = redact_identifiers(text).text
            if record.stack_info:
                record.stack_info = redact_identifiers(record.stack_info).text
            record.privacy_guarded = True
        except Exception:  # a log line must never break the work it describes
            record.msg, record.args = "[log message withheld: the privacy guard failed]", None
        finally:
            _inside.active = False
        return True


def install() -> None:
    """Guard every log record this process creates from now on (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
        redacting = RedactingFilter()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redacting.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
