"""The shape of a run on disk (`evals/reports/<run-id>/results.json`) and how to find runs.

Pydantic models, so `compare` and `report` read exactly what `run` wrote, and an old or
hand-edited file fails loudly instead of drawing a misleading chart.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from bot.evals.cases import EVALS_DIR

REPORTS_DIR = EVALS_DIR / "reports"
Status = Literal["passed", "failed", "not_run", "error"]
CaseStatus = Literal["passed", "failed", "error", "skipped"]


class CheckResult(BaseModel):
    """One expectation on one case."""

    name: str
    kind: Literal["deterministic", "judged"] = "deterministic"
    status: Status
    reason: str = ""
    scores: list[float] = Field(default_factory=list)  # judged: one per repeat that parsed
    errors: list[str] = Field(default_factory=list)  # judged: repeats whose output did not parse

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.scores), 2) if self.scores else None

    @property
    def spread(self) -> float | None:
        return round(statistics.pstdev(self.scores), 2) if len(self.scores) > 1 else None


class TurnRecord(BaseModel):
    n: int
    user: str
    intent: str
    facts: list[str] = Field(default_factory=list)
    coach: str  # the whole reply as a user sees it (tips, draft and question included)
    words: str = ""  # the coach's own words: feedback or a side answer (where citations matter)
    kind: str
    asked_key: str | None = None
    stage: str = ""
    notices: list[str] = Field(default_factory=list)
    citations: int = 0
    seconds: float = 0.0
    first_text_seconds: float | None = None  # streamed: when the first words arrived
    streamed_pieces: int = 0


class CaseResult(BaseModel):
    id: str
    title: str
    source: str
    tags: list[str]
    partner_type: str
    strength: str
    behaviours: list[str]
    status: CaseStatus
    stop_reason: str
    turns: list[TurnRecord] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list)
    final_percent: int | None = None
    final_criteria: dict[str, int] = Field(default_factory=dict)
    final_draft: str = ""
    versions: int = 0
    turns_to_first_draft: int | None = None
    usage: dict[str, float] = Field(default_factory=dict)
    calls: list[dict[str, Any]] = Field(default_factory=list)
    seconds: float = 0.0
    error: str = ""

    @property
    def user_turns(self) -> int:
        return len(self.turns)


class RunResult(BaseModel):
    run_id: str
    started_at: str
    finished_at: str = ""
    git_commit: str = ""
    coach_mode: str
    model: str | None = None
    judge_model: str | None = None
    user_model: str | None = None
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    settings: dict[str, str] = Field(default_factory=dict)
    options: dict[str, object] = Field(default_factory=dict)
    pass_threshold: float
    notes: list[str] = Field(default_factory=list)
    cases: list[CaseResult] = Field(default_factory=list)
    totals: dict[str, float] = Field(default_factory=dict)
    seconds: float = 0.0

    @property
    def counted(self) -> list[CaseResult]:
        return [c for c in self.cases if c.status in ("passed", "failed", "error")]

    @property
    def pass_rate(self) -> float:
        counted = self.counted
        return sum(c.status == "passed" for c in counted) / len(counted) if counted else 0.0

    @property
    def gate_passed(self) -> bool:
        return bool(self.counted) and self.pass_rate >= self.pass_threshold

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "results.json"
        path.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        return path


def run_folder(run_id: str, root: Path = REPORTS_DIR) -> Path:
    return root / run_id


def load_run(ref: str, root: Path = REPORTS_DIR) -> RunResult:
    """A run by id, by folder, or by results.json path; 'latest' is the newest run."""
    path = Path(ref)
    if ref == "latest":
        runs = list_runs(root)
        if not runs:
            raise FileNotFoundError(f"no runs in {root}")
        path = runs[0]
    elif not path.exists():
        path = root / ref
    if path.is_dir():
        path = path / "results.json"
    if not path.exists():
        raise FileNotFoundError(f"no run {ref!r} (looked for {path})")
    return RunResult.model_validate(json.loads(path.read_text(encoding="utf-8")))


def list_runs(root: Path = REPORTS_DIR) -> list[Path]:
    """Run folders, newest first."""
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir() if (p / "results.json").is_file()]
    return sorted(runs, key=lambda p: p.name, reverse=True)
