"""The statement model: what the user has told us, as typed slots.

A draft used to be its answers glued into a template, so whatever the user typed (asides,
corrections, a story filed under the wrong question) reached the page. Here each thing a strong
problem statement needs is a slot holding the value read out of the user's words, the words it
came from and how sure the reading is, so the writer composes from facts, the coach can show
"what I have", and a correction changes one slot everywhere it is used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The slots, in the order a reader meets them, with the label "what I have" shows.
SLOT_LABELS: dict[str, str] = {
    "partners": "Partners",
    "people": "People affected",
    "place": "Place",
    "how_many": "How many",
    "measure": "What happens now",
    "comparator": "Standard",
    "source": "Source and period",
    "harm": "Harm",
    "cost": "Cost",
    "cause": "Cause",
    "deeper_why": "Why that happens",
    "outcome": "Outcome measure",
    "baseline": "Baseline",
    "target": "Target",
    "target_date": "By",
    "scope": "Scope",
    "exclusions": "Excluded",
    "value_patients": "Value for patients",
    "value_nhs": "Value for the NHS",
    "value_partner": "Value for the partner",
    "contribution": "Partner contributes",
    "owner": "Accountable",
    "exit": "Exit",
}
SLOT_NAMES: tuple[str, ...] = tuple(SLOT_LABELS)


@dataclass(frozen=True)
class Slot:
    """One fact the user gave: its value, the words it was read from, and how sure we are.

    `confidence` says how the value was read: 0.9 when the user's answer to that very question
    holds it as a whole sentence, 0.7 when it was taken out of a sentence by an entity or a
    pattern, 0.5 when it was inferred from another question's answer.
    """

    name: str
    value: str
    words: str  # the user's words it came from (after chat was taken out)
    confidence: float
    answer_key: str = ""  # the question whose answer held it


@dataclass(frozen=True)
class Statement:
    """Every slot filled so far, plus the notes on slots left out on purpose."""

    slots: dict[str, Slot] = field(default_factory=dict)
    # slot name -> why it was left out (a symptom as the cause, a solution as the evidence…)
    held_back: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        slot = self.slots.get(name)
        return slot.value if slot else ""

    def has(self, name: str) -> bool:
        return bool(self.value(name).strip())

    def filled(self) -> list[Slot]:
        """The filled slots in reading order."""
        return [self.slots[name] for name in SLOT_NAMES if name in self.slots]

    def to_json(self) -> dict[str, Any]:
        return {
            "slots": {name: asdict(slot) for name, slot in self.slots.items()},
            "held_back": dict(self.held_back),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Statement:
        """Tolerant of unknown slots and missing keys, so older rows always load."""
        data = data or {}
        slots = {}
        for name, raw in (data.get("slots") or {}).items():
            if name in SLOT_LABELS and isinstance(raw, dict) and raw.get("value"):
                slots[name] = Slot(
                    name,
                    str(raw["value"]),
                    str(raw.get("words", "")),
                    float(raw.get("confidence", 0.5)),
                    str(raw.get("answer_key", "")),
                )
        held = {str(k): str(v) for k, v in (data.get("held_back") or {}).items()}
        return cls(slots, held)
