"""Does the rubric tell the truth? Its score for each rated draft against a reader's rating.

`tests/data/draft_ratings.yaml` holds problem-statement drafts rated 1–10 by a reader who never
read the rubric's code (frozen; see draft_ratings.md). Each draft (problem, how-might-we, each
party's value, partner type) is scored by the deterministic rubric exactly as the coach would
score it, with no coaching answers behind it, because a board reads the draft, not the chat.

Reported: Spearman's rank correlation between rubric % and rating (goal ≥ 0.8), the share of
drafts rated 4 or below that the rubric puts above 60% (goal: none), the mean score per
category, and the worst disagreements with the reader's reason, so a rule can be judged by what
it gets wrong and not only by a single figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.coaching.rubric import score_draft
from bot.coaching.statement.writer import PARTIES
from bot.drafts.content import DraftContent, PartyValue, RubricScore

RATINGS_FILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "draft_ratings.yaml"
GOAL_SPEARMAN = 0.8
WEAK_RATING = 4  # a draft the reader rated this or lower is weak ...
WEAK_CEILING = 60  # ... and must not score above this percentage
WORST_SHOWN = 10
_VALUE_KEYS = {"patients": PARTIES[0][1], "nhs": PARTIES[1][1], "partner": PARTIES[2][1]}


@dataclass(frozen=True)
class Rated:
    """One rated draft with the rubric's score for it."""

    id: str
    category: str
    partner_type: str
    rating: int
    why: str
    percent: int
    score: RubricScore


def load_drafts(path: Path = RATINGS_FILE) -> list[dict]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["drafts"])


def as_content(draft: dict) -> DraftContent:
    """A rated draft as the coach's draft model, with the parties named as the composer names
    them, so the rubric sees exactly what it would see in a conversation."""
    values = draft.get("value") or {}
    return DraftContent(
        title=draft.get("domain", draft["id"]),
        problem_statement=draft.get("problem", ""),
        how_might_we=draft.get("how_might_we", ""),
        value_proposition=[
            PartyValue(party=party, value=str(values[key]))
            for key, party in _VALUE_KEYS.items()
            if str(values.get(key) or "").strip()
        ],
    )


def score_all(drafts: list[dict]) -> list[Rated]:
    rated = []
    for draft in drafts:
        score = score_draft(as_content(draft), {})
        rated.append(
            Rated(
                id=draft["id"],
                category=draft.get("category", ""),
                partner_type=draft.get("partner_type", ""),
                rating=int(draft["rating"]),
                why=" ".join(str(draft.get("why", "")).split()),
                percent=score.percent,
                score=score,
            )
        )
    return rated


def ranks(values: list[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank (as Spearman's coefficient needs)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            result[order[position]] = shared
        start = end + 1
    return result


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation: Pearson's correlation of the tie-averaged ranks."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("need two equal-length lists of at least two values")
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if vx == 0 or vy == 0:
        return 0.0
    return cov / (vx * vy) ** 0.5


def disagreements(rated: list[Rated]) -> list[tuple[float, Rated]]:
    """Drafts by how far apart the reader and the rubric rank them (share of the set)."""
    reader = ranks([r.rating for r in rated])
    rubric = ranks([r.percent for r in rated])
    n = len(rated)
    gaps = [((rubric[i] - reader[i]) / n, r) for i, r in enumerate(rated)]
    return sorted(gaps, key=lambda pair: -abs(pair[0]))


def _low_criteria(score: RubricScore) -> str:
    return ", ".join(f"{c.id} {c.score}" for c in score.criteria if c.score < 2) or "none"


def run() -> dict:
    rated = score_all(load_drafts())
    rho = spearman([r.rating for r in rated], [r.percent for r in rated])
    weak = [r for r in rated if r.rating <= WEAK_RATING]
    weak_high = [r for r in weak if r.percent > WEAK_CEILING]
    categories: dict[str, list[Rated]] = {}
    for r in rated:
        categories.setdefault(r.category, []).append(r)
    return {
        "drafts": len(rated),
        "spearman": round(rho, 3),
        "goal_spearman": GOAL_SPEARMAN,
        "weak_drafts": len(weak),
        "weak_above_ceiling": len(weak_high),
        "weak_above_ceiling_share": round(len(weak_high) / len(weak), 3) if weak else 0.0,
        "weak_above_ceiling_ids": [r.id for r in weak_high],
        "weak_ceiling_percent": WEAK_CEILING,
        "categories": {
            name: {
                "drafts": len(items),
                "mean_rating": round(sum(r.rating for r in items) / len(items), 1),
                "mean_percent": round(sum(r.percent for r in items) / len(items), 1),
            }
            for name, items in sorted(categories.items())
        },
        "worst": [
            {
                "id": r.id,
                "category": r.category,
                "rating": r.rating,
                "percent": r.percent,
                "rank_gap": round(gap, 2),
                "low_criteria": _low_criteria(r.score),
                "why": r.why,
            }
            for gap, r in disagreements(rated)[:WORST_SHOWN]
        ],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
