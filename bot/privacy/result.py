"""What the guard reports: kinds, findings, placeholders and the notice shown to the user.

A :class:`Finding` records kind and offsets only, never the matched text, so findings can be
logged and counted without re-leaking what they describe; the notice names kinds and counts,
never values, because it is shown in a channel and may itself be stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "NOUNS",
    "PLACEHOLDERS",
    "PRIORITY",
    "Action",
    "Finding",
    "GuardResult",
    "IdentifierKind",
]

IdentifierKind = Literal[
    "nhs_number",
    "chi_number",
    "postcode",
    "ni_number",
    "hospital_number",
    "address",
    "email",
    "phone",
    "date_of_birth",
    "name",
    "possible_nhs_number",
]
Action = Literal["redacted", "warned"]

# Placeholders carry no digits, no "@" and no capitalised name, so guarding the guard's own output
# finds nothing new (idempotence), and they read naturally in a stored draft.
PLACEHOLDERS: dict[str, str] = {
    "nhs_number": "[NHS number removed]",
    "chi_number": "[CHI number removed]",
    "ni_number": "[NI number removed]",
    "hospital_number": "[hospital number removed]",
    "address": "[address removed]",
    "email": "[email removed]",
    "phone": "[phone number removed]",
    "postcode": "[postcode removed]",
    "date_of_birth": "[date of birth removed]",
    "name": "[patient name removed]",
}

# Singular and plural nouns for the user notice.
NOUNS: dict[str, tuple[str, str]] = {
    "nhs_number": ("NHS number", "NHS numbers"),
    "chi_number": ("CHI number", "CHI numbers"),
    "ni_number": ("National Insurance number", "National Insurance numbers"),
    "hospital_number": ("hospital number", "hospital numbers"),
    "address": ("street address", "street addresses"),
    "email": ("email address", "email addresses"),
    "phone": ("phone number", "phone numbers"),
    "postcode": ("postcode", "postcodes"),
    "date_of_birth": ("date of birth", "dates of birth"),
    "name": ("patient name", "patient names"),
}

# Lower number wins an overlap. NHS numbers first: a valid Modulus 11 number is the strongest
# signal there is, and it must be reported as an NHS number even when it also looks like a phone
# number. Warnings come last: they never remove anything, so they must never displace a redaction.
PRIORITY: dict[str, int] = {
    "nhs_number": 0,
    "chi_number": 1,
    "ni_number": 2,
    "email": 3,
    "hospital_number": 4,
    "phone": 5,
    "postcode": 6,
    "address": 7,
    "date_of_birth": 8,
    "name": 9,
    "possible_nhs_number": 10,
}


@dataclass(frozen=True)
class Finding:
    """One identifier found in a message.

    Offsets refer to the ORIGINAL text. The matched text itself is never kept: a Finding may be
    logged, and a log line must not become a second copy of the identifier.
    """

    kind: IdentifierKind
    start: int
    end: int
    action: Action


@dataclass(frozen=True)
class GuardResult:
    """The outcome of guarding one message: the safe text and what was found in the original."""

    text: str
    findings: tuple[Finding, ...]

    @property
    def redacted(self) -> tuple[Finding, ...]:
        """Findings that were replaced by a placeholder in :attr:`text`."""
        return tuple(f for f in self.findings if f.action == "redacted")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings left in place but worth a second look (ambiguous 10-digit numbers)."""
        return tuple(f for f in self.findings if f.action == "warned")

    @property
    def changed(self) -> bool:
        """True when anything was removed, i.e. :attr:`text` differs from the original."""
        return bool(self.redacted)

    def notice(self) -> str | None:
        """One short plain-English message for the user, or None when nothing was found."""
        parts: list[str] = []
        counts = Counter(f.kind for f in self.redacted)
        if counts:
            listed = [
                f"{counts[kind]} {NOUNS[kind][0] if counts[kind] == 1 else NOUNS[kind][1]}"
                for kind in sorted(counts, key=PRIORITY.__getitem__)
            ]
            parts.append(
                f"I removed {_join(listed)} before saving or sending your message: "
                "patient-identifiable data must never be shared with the coach. "
                "Use aggregate figures instead."
            )
        warned = len(self.warnings)
        if warned == 1:
            parts.append(
                "A ten-digit number in your message looks like it could be an identifier; "
                "check it is not patient data."
            )
        elif warned > 1:
            parts.append(
                f"{warned} ten-digit numbers in your message look like they could be "
                "identifiers; check they are not patient data."
            )
        return " ".join(parts) or None


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c': British style, no serial comma."""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
