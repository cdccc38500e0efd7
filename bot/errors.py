"""The product's exceptions, in one place: failures a user can act on, and domain refusals.

A traceback tells an NHS user nothing and may print a password. Errors the product raises on
purpose (a bad setting, a database it cannot open or that is busy) derive from `UserFacingError`
and carry a sentence written for the user. The domain refusals (no such draft, not the owner, a
turn that lost a race, a model that could not answer) are what adapters catch to answer in their
own words, so they live here too: an adapter imports them without importing any store module.
Turning any other failure into one line is `bot.failures.describe_failure`'s job: it needs to
know the drafts database, which this module, imported by every layer, must not.

The knowledge index's errors (`bot.retrieval.vectorstore`) and the privacy engine's
(`bot.privacy.presidio_engine`) are `UserFacingError`s that stay beside the code they describe.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """Its message is one sentence a user can act on: shown as is, without a traceback."""


class SettingsError(UserFacingError, ValueError):
    """A setting has a value the product cannot use; the message names the setting."""


class StoreUnavailable(UserFacingError, RuntimeError):
    """The drafts database cannot be opened or used; the message says why in one line."""


class StoreBusy(StoreUnavailable):
    """The database is there but not answering just now (restarting, locked): try again soon.

    Separate from StoreUnavailable so adapters can say "try again in a moment" rather than
    "fix your configuration", and so nobody mistakes a passing outage for lost work.
    """


class PromptError(ValueError):
    """A prompt file is missing or malformed."""


class ModelUnavailable(RuntimeError):
    """A model could not answer (timed out, refused every output format…); the message says why
    in plain words, and the caller falls back (the engine lets the guided coach answer)."""


class DraftNotFound(LookupError):
    """No such draft, or the actor may not see it: deliberately indistinguishable."""


class NotOwner(PermissionError):
    """The actor can see the draft but only its owner may share or archive it."""


class ConcurrentUpdate(RuntimeError):
    """The draft changed since the caller read it; re-read and replay the turn."""


class AnswerNotFound(LookupError):
    """No such knowledge answer, or it was not shown where the vote came from: deliberately
    indistinguishable, so answer ids cannot be probed."""
