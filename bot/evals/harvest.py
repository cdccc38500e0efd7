"""`coach eval harvest`: drafts that users gave a 👎 become persona cards for a maintainer.

Facts come from the user's stored answers (already redacted when they were stored), are passed
through the privacy guard again on the way out, and the card is written under
`evals/cases/harvested/` for review: a maintainer decides what a good outcome would have been.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select

from bot.drafts.models import Draft, DraftVersion, Feedback, Message
from bot.drafts.repository import DraftStore
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
    text = " ".join([partner_type, *partners, answers.get("context.partners", "")]).lower()
    for kind, words in _PARTNER_WORDS.items():
        if any(word in text for word in words):
            return kind
    return "digital"


def harvest(
    store: DraftStore, since: datetime | None = None, out_dir: Path = HARVEST_DIR
) -> list[Harvested]:
    """Write one case file per draft with a 👎 vote (newer than `since`); returns what it wrote."""
    query = (
        select(Draft, Feedback, DraftVersion)
        .join(DraftVersion, DraftVersion.draft_id == Draft.id)
        .join(Feedback, Feedback.version_id == DraftVersion.id)
        .where(Feedback.value == -1)
        .order_by(Draft.id, Feedback.created_at)
    )
    if since is not None:
        query = query.where(Feedback.created_at >= since)
    grouped: dict[str, list[tuple[Draft, Feedback, DraftVersion]]] = {}
    with store.database.connect() as connection:
        from sqlalchemy.orm import Session

        with Session(bind=connection) as session:
            for draft, vote, version in session.execute(query):
                grouped.setdefault(draft.id, []).append((draft, vote, version))
            comments = {
                draft_id: [
                    m.text
                    for m in session.scalars(
                        select(Message)
                        .where(Message.draft_id == draft_id, Message.role == "user")
                        .order_by(Message.id)
                    )
                ]
                for draft_id in grouped
            }
            written = []
            for draft_id, rows in grouped.items():
                draft = rows[0][0]
                notes = [getattr(vote, "comment", None) for _d, vote, _v in rows]
                written.append(
                    _write_case(draft, rows, [n for n in notes if n], comments[draft_id], out_dir)
                )
    return written


def _write_case(
    draft: Draft,
    rows: list[tuple[Draft, Feedback, DraftVersion]],
    comments: list[str],
    user_messages: list[str],
    out_dir: Path,
) -> Harvested:
    answers = dict(draft.answers or {})
    facts = {
        fact: _clean(answers[key])
        for key, fact in QUESTION_FACTS.items()
        if answers.get(key, "").strip()
    }
    if not facts:
        facts = {"topic": _clean(draft.title)}
    versions = sorted({v.number for _d, _f, v in rows})
    case = {
        "id": f"harvested-{draft.id}",
        "title": _clean(draft.title) or "Harvested draft",
        "partner_type": guess_partner_type(draft.partner_type, list(draft.partners or []), answers),
        "strength": "weak",
        "tags": ["harvested", "thumbs-down"],
        "facts": facts,
        "expect": {"no_patient_data_anywhere": True, "finishes": True},
    }
    header = [
        f"# Harvested from draft {draft.id}: 👎 on version(s) {', '.join(map(str, versions))}.",
        "# Review before committing: add the expectations a good outcome would meet.",
    ]
    header += [f"# Comment: {_clean(c)}" for c in comments]
    header += [f"# The user said: {_clean(m)[:160]}" for m in user_messages[-3:]]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"harvested-{draft.id}.yaml"
    body = yaml.safe_dump(case, sort_keys=False, allow_unicode=True, width=100)
    path.write_text("\n".join(header) + "\n" + body, encoding="utf-8")
    parse_case(path)  # a harvested card must load like any other
    return Harvested(draft.id, path, len(rows))
