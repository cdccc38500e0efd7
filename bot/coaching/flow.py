"""Where a conversation stands beyond the answers: typed, and stored apart from them.

Attempt counts, "go back to the review after this answer", the user's own rewrites of a line,
skipped questions and the parts of messages that fitted no question are not answers; kept among
the answers they leaked into drafts and prompts. `Flow` is their one home (the `drafts.flow`
JSON column), read and written whole each turn like the answers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

OVERRIDABLE = ("problem_statement", "how_might_we")


@dataclass(frozen=True)
class Unplaced:
    """A part of a message that fitted no question, and the question it most resembled."""

    text: str
    guess: str


@dataclass(frozen=True)
class Redirect:
    """The coach filed an answer under other questions and asked `asked` again.

    Kept for one turn: if the user sends the same words again, they meant them as the answer
    to `asked`, and the coach moves them back instead of misreading them a second time.
    """

    asked: str
    text: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Flow:
    attempts: dict[str, int] = field(default_factory=dict)  # challenged answers per question
    return_to_review: bool = False  # an answer edited from the review goes back there
    overrides: dict[str, str] = field(default_factory=dict)  # lines the user rewrote
    skipped: tuple[str, ...] = ()  # questions the user chose to leave for now
    unplaced: tuple[Unplaced, ...] = ()  # kept and offered back when their question comes up
    redirect: Redirect | None = None  # last turn's answer filed elsewhere, for one turn
    # The last answer filed and where, so "no, that was the cause" can move it.
    last_filed: Redirect | None = None
    corrected: str = ""  # the last correction applied ("140 instead of 104"), for "fix that?"
    # The statement's slots as last read (`statement.model.Statement.to_json`), so "what I
    # have" and the model's prompt show the same understanding the draft was written from.
    statement: dict[str, Any] = field(default_factory=dict)
    # The user changed the partners after naming them ("actually the partner is the county
    # council"): from then on their names, not the form's partner type, say what kind each is.
    partners_renamed: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Flow:
        """Tolerant of missing or unknown keys, so older rows always load."""
        data = data or {}
        unplaced = tuple(
            Unplaced(str(item.get("text", "")), str(item.get("guess", "")))
            for item in data.get("unplaced") or []
            if isinstance(item, dict) and item.get("text")
        )
        return cls(
            attempts={str(k): int(v) for k, v in (data.get("attempts") or {}).items()},
            return_to_review=bool(data.get("return_to_review", False)),
            overrides={
                str(k): str(v) for k, v in (data.get("overrides") or {}).items() if k in OVERRIDABLE
            },
            skipped=tuple(str(k) for k in data.get("skipped") or ()),
            unplaced=unplaced,
            redirect=_redirect(data.get("redirect")),
            last_filed=_redirect(data.get("last_filed")),
            corrected=str(data.get("corrected") or ""),
            statement=dict(data.get("statement") or {}),
            partners_renamed=bool(data.get("partners_renamed", False)),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = list(self.skipped)
        data["unplaced"] = [asdict(item) for item in self.unplaced]
        if self.redirect is not None:
            data["redirect"]["keys"] = list(self.redirect.keys)
        if self.last_filed is not None:
            data["last_filed"]["keys"] = list(self.last_filed.keys)
        return data

    def tried(self, key: str) -> int:
        return self.attempts.get(key, 0)

    def with_attempt(self, key: str) -> Flow:
        return replace(self, attempts={**self.attempts, key: self.tried(key) + 1})

    def answered(self, key: str) -> Flow:
        """The question has an answer: no more tries counted, no longer skipped."""
        attempts = {k: v for k, v in self.attempts.items() if k != key}
        skipped = tuple(k for k in self.skipped if k != key)
        return replace(self, attempts=attempts, skipped=skipped)

    def with_skip(self, key: str) -> Flow:
        attempts = {k: v for k, v in self.attempts.items() if k != key}
        skipped = self.skipped if key in self.skipped else (*self.skipped, key)
        return replace(self, attempts=attempts, skipped=skipped)

    def with_unplaced(self, parts: list[Unplaced]) -> Flow:
        return replace(self, unplaced=(*self.unplaced, *parts))

    def take_unplaced(self, key: str) -> tuple[list[Unplaced], Flow]:
        """The kept parts that resemble question `key`, removed once offered back."""
        offered = [u for u in self.unplaced if u.guess == key]
        if not offered:
            return [], self
        kept = tuple(u for u in self.unplaced if u.guess != key)
        return offered, replace(self, unplaced=kept)

    def with_redirect(self, redirect: Redirect | None) -> Flow:
        return replace(self, redirect=redirect)

    def with_last_filed(self, last: Redirect | None) -> Flow:
        return replace(self, last_filed=last)

    def with_statement(self, statement: dict[str, Any], corrected: str | None = None) -> Flow:
        changed = replace(self, statement=statement)
        return changed if corrected is None else replace(changed, corrected=corrected)

    def with_override(self, name: str, text: str) -> Flow:
        return replace(self, overrides={**self.overrides, name: text})


def _redirect(data: Any) -> Redirect | None:
    if not isinstance(data, dict) or not data.get("asked") or not data.get("text"):
        return None
    keys = tuple(str(k) for k in data.get("keys") or ())
    return Redirect(str(data["asked"]), str(data["text"]), keys)
