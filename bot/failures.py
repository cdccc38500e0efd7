"""How any failure becomes one readable line for the command line and `coach doctor`.

A traceback tells an NHS user nothing and may print a password: a `UserFacingError` is shown as
it is, a database error names the database with its password masked, and anything else becomes
one line naming the problem (`COACH_DEBUG=1` brings the traceback back for developers).
"""

from __future__ import annotations

import sys

from bot.errors import UserFacingError


def describe_failure(error: BaseException, database_url: str = "") -> str:
    """One line for any failure; database errors name the database with its password masked."""
    if isinstance(error, UserFacingError):
        text = str(error)
    elif _is_database_error(error):
        from bot.drafts.db import describe_error

        text = describe_error(error, database_url)
    elif isinstance(error, PermissionError):
        text = f"Permission denied: {error.filename or error}"
    elif isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        text = f"{error.strerror or error.__class__.__name__}{where}"
    elif isinstance(error, MemoryError):
        text = "Ran out of memory"
    else:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        text = f"Unexpected error ({error.__class__.__name__}{': ' + first if first else ''})"
        text += "; set COACH_DEBUG=1 to see the traceback"
    return " ".join(text.split())


def _is_database_error(error: BaseException) -> bool:
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_exc is not None and isinstance(error, sqlalchemy_exc.SQLAlchemyError)
