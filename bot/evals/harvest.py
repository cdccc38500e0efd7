"""`coach eval harvest`: drafts that users gave a 👎 become persona cards for a maintainer.

Facts come from the user's stored answers (already redacted when they were stored), are passed
through the privacy guard again on the way out, and the card is written under
`evals/cases/harvested/` for review: a maintainer decides what a good outcome would have been.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.coaching.questions import PARTNERS
from bot.drafts.records import DislikedDraft
from bot.evals.cases import CASES_DIR, PARTNER_TYPES, parse_case
from bot.evals.simulator import QUESTION_FACTS
from bot.privacy import redact_line

HARVEST_DIR = CASES_DIR / "harvested"
_PARTNER_WORDS = {
    "pharmaceutical": ("pharma", "pharmaceutical", "drug"),
    "medtech": ("medtech", "device", "medical technology"),
    "digital": ("digital", "software", "app", "tech"),
    "social_care": ("social care", "care home", "domiciliary"),
    "local_government": ("council", "local authority", "borough"),
    "charity": ("charity", "voluntary", "trust fund", "community group"),
    "academic": ("university", "academic", "research"),
}


@dataclass(frozen=True)
class Harvested:
    draft_id: str
    path: Path
    votes: int


def _clean(text: str) -> str:
    # guarded after collapsing whitespace, which could otherwise rebuild "943  476  5919"
    return redact_line(text)


def guess_partner_type(partner_type: str, partners: list[str], answers: dict[str, str]) -> str:
    """The draft's own partner type when it is one we know, else a guess from the words used."""
    if partner_type in PARTNER_TYPES:
        return partner_type
    text = " ".join([partner_type, *partners, answers.get(PARTNERS, "")]).lower()
    for kind, words in _PARTNER_WORDS.items():
        if any(word in text for word in words):
            return kind
    return "digital"


def harvest(disliked: list[DislikedDraft], out_dir: Path = HARVEST_DIR) -> list[Harvested]:
    """Write one case file per draft with a 👎 vote; returns what it wrote.

    A maintainer's job across every workspace, so the drafts come from `bot.runtime.voted_down`
    rather than a user's front door.
    """
    return [_write_case(draft, out_dir) for draft in disliked]


def _write_case(disliked: DislikedDraft, out_dir: Path) -> Harvested:
    draft = disliked.draft
    answers = dict(draft.answers)
    facts = {
        fact: _clean(answers[key])
        for key, fact in QUESTION_FACTS.items()
        if answers.get(key, "").strip()
    }
    if not facts:
        facts = {"topic": _clean(draft.title)}
    versions = sorted(set(disliked.voted_versions))
    case = {
        "id": f"harvested-{draft.id}",
        "title": _clean(draft.title) or "Harvested draft",
        "partner_type": guess_partner_type(draft.partner_type, list(draft.partners), answers),
        "strength": "weak",
        "tags": ["harvested", "thumbs-down"],
        "facts": facts,
        "expect": {"no_patient_data_anywhere": True, "finishes": True},
    }
    header = [
        f"# Harvested from draft {draft.id}: 👎 on version(s) {', '.join(map(str, versions))}.",
        "# Review before committing: add the expectations a good outcome would meet.",
    ]
    header += [f"# The user said: {_clean(m)[:160]}" for m in disliked.user_messages[-3:]]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"harvested-{draft.id}.yaml"
    body = yaml.safe_dump(case, sort_keys=False, allow_unicode=True, width=100)
    path.write_text("\n".join(header) + "\n" + body, encoding="utf-8")
    parse_case(path)  # a harvested card must load like any other
    return Harvested(draft.id, path, len(disliked.voted_versions))
