"""The door in front of Bolt in HTTP mode: only signed, well-formed, Slack-sized requests pass.

Bolt verifies signatures too, but only after it has parsed the body, and its parser raises on a
malformed body before verification runs: an unsigned `{not json` would be a 500 with a traceback.
So the gate checks, in order of cost, what can be checked without trusting the request:

1. size — Slack's own payloads are a few kilobytes; anything over :data:`MAX_BODY_BYTES` is not
   from Slack and is refused before it is read into memory;
2. signature and timestamp — on the raw bytes, exactly as Slack signs them, with a timestamp that
   must be plain digits (the verifier's own ``int("abc")`` would raise: another 500);
3. shape — after parsing, the few fields every listener relies on are present with the right
   types, so a signed but malformed payload (a leaked secret, a buggy proxy) is a 400, not a
   listener crash.

Each refusal is one log line naming the reason, never the body: a body can hold anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

MAX_BODY_BYTES = 1 << 20
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class Refusal:
    """Why a request was turned away: the HTTP status and a reason safe to log and return."""

    status: int
    reason: str


def too_large(content_length: str | None) -> Refusal | None:
    """Refuse on the declared length alone, before reading a byte of the body."""
    if content_length is None:
        return None
    if not content_length.isascii() or not content_length.isdigit():
        return Refusal(400, "malformed content-length")
    if int(content_length) > MAX_BODY_BYTES:
        return Refusal(413, "request body too large")
    return None


def unsigned(
    verifier: SignatureVerifier | None, body: bytes, headers: Mapping[str, str]
) -> Refusal | None:
    """Refuse a request whose Slack signature or timestamp does not hold (None = it holds)."""
    if verifier is None:  # Socket Mode, or a test app without a secret: Bolt decides
        return None
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not _TIMESTAMP.fullmatch(timestamp) or not signature.isascii():
        return Refusal(401, "missing or malformed signature headers")
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        return Refusal(401, "invalid or stale signature")
    return None


def malformed(payload: Any) -> Refusal | None:
    """Refuse a parsed payload missing what the listeners rely on (None = well formed).

    Deliberately shallow: it checks the envelope each kind of request arrives in, not every
    field of every event, so new Slack event types still reach Bolt (which ignores unknown ones).
    """
    if not isinstance(payload, dict):
        return Refusal(400, "payload is not an object")
    if "command" in payload:
        return _needs_strings(payload, "command", "user_id", "team_id")
    kind = payload.get("type")
    if kind is None and payload.get("ssl_check"):
        return None
    if not isinstance(kind, str):
        return Refusal(400, "payload has no type")
    if kind == "url_verification":
        return _needs_strings(payload, "challenge")
    if kind == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return Refusal(400, "event_callback without an event")
        return _needs_strings(payload, "team_id", "event_id")
    if kind in ("block_actions", "view_submission", "view_closed", "shortcut", "message_action"):
        user = payload.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return Refusal(400, f"{kind} without a user")
        if kind.startswith("view_"):
            view = payload.get("view")
            if not isinstance(view, dict) or not isinstance(view.get("type"), str):
                return Refusal(400, f"{kind} without a view")
        if kind == "block_actions" and not isinstance(payload.get("actions"), list):
            return Refusal(400, "block_actions without actions")
    return None


def _needs_strings(payload: Mapping[str, Any], *keys: str) -> Refusal | None:
    missing = [key for key in keys if not isinstance(payload.get(key), str)]
    return Refusal(400, f"missing {', '.join(missing)}") if missing else None
