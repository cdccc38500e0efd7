"""Who a draft may be shared with: a Slack user id or a console user name, nothing else.

`/share` used to store whatever followed it in ``draft_shares.user_id``: an NHS number, an email
address, half a quoted sentence. A share target is an identity, so it has an identity's shape,
and anything else is refused with a sentence the user can act on, before it is stored or echoed.
The check lives in the engine's drafts service, so every adapter (console, Slack, evals) gets it.
"""

from __future__ import annotations

import re

from bot.privacy.guard import redact_identifiers

__all__ = ["InvalidShareTarget", "checked_share_target"]

# Slack user ids: U… for workspace members, W… for Enterprise Grid users.
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{6,14}", re.ASCII)
# A console user name, as `--user` or the login name gives it.
_CONSOLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", re.ASCII)


class InvalidShareTarget(ValueError):
    """The share target is not a user id; its text is never repeated back (it may be data)."""


def checked_share_target(user_id: str) -> str:
    """`user_id` unchanged when it is a Slack user id or a console user name; else refused.

    A name made only of digits, or one the privacy guard finds an identifier in (a phone
    number typed as a user name), is refused too: it would be stored next to the draft.
    """
    candidate = user_id.strip()
    if _SLACK_USER_ID.fullmatch(candidate):
        return candidate
    if (
        _CONSOLE_NAME.fullmatch(candidate)
        and not candidate.isdigit()
        and not redact_identifiers(candidate).findings
    ):
        return candidate
    raise InvalidShareTarget(
        "That is not a user: share with a Slack @mention or a console user name (letters, "
        "digits, dot, dash or underscore), e.g. /share jsmith"
    )
