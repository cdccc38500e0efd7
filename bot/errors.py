"""Failures a user can act on.

A traceback tells an NHS user nothing and may print a password. Errors the product raises on
purpose (a bad setting, a database or index it cannot open) derive from `UserFacingError` and
carry a sentence written for the user. Turning any other failure into one line is
`bot.failures.describe_failure`'s job: it needs to know the drafts database, which this module,
imported by every layer, must not.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """Its message is one sentence a user can act on: shown as is, without a traceback."""


class DraftNotFound(LookupError):
    """No such draft, or the actor may not see it: deliberately indistinguishable."""


class NotOwner(PermissionError):
    """The actor can see the draft but only its owner may share or archive it."""


class ConcurrentUpdate(RuntimeError):
    """The draft changed since the caller read it; re-read and replay the turn."""


class AnswerNotFound(LookupError):
    """No such knowledge answer, or it was not shown where the vote came from: deliberately
    indistinguishable, so answer ids cannot be probed."""
