"""The guard: every recogniser on the normalised view, overlaps resolved, spans replaced.

Each kind is found independently, then overlaps are resolved so that each character belongs to
at most one finding. Removing an identifier changes what its neighbours touch: in
"9434765919SW1A 1AA" the postcode is glued to a digit and not matched, but once the number
becomes "[NHS number removed]" it stands alone; a name becomes a patient's once the NHS number
beside it has been removed. So detection repeats on the redacted text until a pass removes
nothing, with offsets mapped back to the original. That makes :func:`redact_identifiers`
idempotent by construction: running it on its own output never removes anything more.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.privacy.catch_all import digit_chain_candidates, labelled_as_other_number
from bot.privacy.names import patient_names
from bot.privacy.normalise import normalise
from bot.privacy.recognisers import Candidate, dates_of_birth, identifier_candidates
from bot.privacy.records import address_candidates, hospital_number_candidates
from bot.privacy.result import PLACEHOLDERS, PRIORITY, Finding, GuardResult

__all__ = ["redact_identifiers", "redact_text"]


def _resolve(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Choose non-overlapping candidates, highest-priority kind first.

    One exception: an email address that wholly contains the higher-priority candidates it
    overlaps replaces them. Otherwise "j.smith.9434765919@nhs.net" would become
    "j.smith.[NHS number removed]@nhs.net", removing the number but leaving the person's name.
    """
    ordered = sorted(set(candidates), key=lambda c: (PRIORITY[c.kind], c.start, c.start - c.end))
    accepted: list[Candidate] = []
    for cand in ordered:
        clashes = [a for a in accepted if a.overlaps(cand)]
        if not clashes:
            accepted.append(cand)
        elif (
            cand.kind == "email"
            and all(cand.contains(a) for a in clashes)
            and all((a.start, a.end) != (cand.start, cand.end) for a in clashes)
        ):
            accepted = [a for a in accepted if a not in clashes]
            accepted.append(cand)
    return sorted(accepted, key=lambda c: c.start)


def _unless_labelled(view: str, candidates: list[Candidate]) -> list[Candidate]:
    """NHS-number candidates labelled as something else ("PO 4500123458") become warnings.

    A purchase order number passes Modulus 11 one time in eleven; its label says what it is. It
    is still reported, so the user is asked to check it.
    """
    return [
        Candidate("possible_nhs_number", c.start, c.end)
        if c.kind == "nhs_number" and labelled_as_other_number(view, c.start)
        else c
        for c in candidates
    ]


def _detect(view: str) -> list[Candidate]:
    """One detection pass on a normalised view: every layer's identifiers (the recognisers, the
    digit-chain catch-all, hospital numbers and addresses), then dates of birth, then names."""
    candidates = identifier_candidates(view) + digit_chain_candidates(view)
    candidates += hospital_number_candidates(view) + address_candidates(view)
    chosen = _resolve(_unless_labelled(view, candidates))
    chosen += dates_of_birth(view, chosen)
    chosen += patient_names(view, chosen)
    return sorted(chosen, key=lambda c: c.start)


def _replace(text: str, spans: list[Candidate]) -> tuple[str, list[int | None]]:
    """`text` with each span replaced by its placeholder, and for every character of the result
    the index it came from in `text` (None for placeholder characters)."""
    out: list[str] = []
    origin: list[int | None] = []
    cursor = 0
    for span in spans:
        out.append(text[cursor : span.start])
        origin.extend(range(cursor, span.start))
        placeholder = PLACEHOLDERS[span.kind]
        out.append(placeholder)
        origin.extend([None] * len(placeholder))
        cursor = span.end
    out.append(text[cursor:])
    origin.extend(range(cursor, len(text)))
    return "".join(out), origin


def redact_identifiers(text: str) -> GuardResult:
    """Find patient-identifiable data in `text` and return a safe copy plus what was found.

    Redacted kinds are replaced by a placeholder such as "[NHS number removed]"; ten-digit
    numbers printed like NHS numbers that are neither a valid NHS number nor CHI-shaped are left
    in place but reported as warnings, because roughly one random ten-digit string in eleven
    passes Modulus 11 and the rest are usually order numbers or references.
    """
    found: list[Candidate] = []
    current = text
    to_original: list[int | None] = list(range(len(text)))
    while True:
        removed: list[Candidate] = []
        view = normalise(current)
        for cand in _detect(view.text):
            start, end = view.original_span(cand.start, cand.end)
            if None in to_original[start:end]:
                continue  # would cover a placeholder: never double-redact
            first, last = to_original[start], to_original[end - 1]
            assert first is not None and last is not None
            mapped = Candidate(cand.kind, first, last + 1)
            if cand.action == "redacted":
                removed.append(Candidate(cand.kind, start, end))
                found = [f for f in found if not f.overlaps(mapped)]  # only warnings can clash
                found.append(mapped)
            elif not any(f.overlaps(mapped) for f in found):
                found.append(mapped)
        if not removed:
            break
        current, origin_of = _replace(current, removed)
        to_original = [None if i is None else to_original[i] for i in origin_of]

    found.sort(key=lambda c: c.start)
    findings = tuple(Finding(c.kind, c.start, c.end, c.action) for c in found)
    return GuardResult(text=current, findings=findings)


def redact_text(text: str) -> str:
    """Just the safe text: for call sites that store, post, export or log and need nothing else."""
    return redact_identifiers(text).text
