"""`coach eval compare A B`: what changed between two runs, regressions first.

A case that passed in A and fails in B is the first thing a maintainer needs to see; then the
expectations and rubric criteria that moved, then turns, tokens, cost and latency.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from bot.coaching.rubric import CRITERIA
from bot.evals.charts import paired
from bot.evals.report import CSS, pass_rate_by_expectation
from bot.evals.results import CaseResult, RunResult

CHANGE_ORDER = {"regression": 0, "new failure": 1, "fixed": 2, "changed": 3, "same": 4}


@dataclass
class CaseDelta:
    id: str
    a: CaseResult | None
    b: CaseResult | None
    change: str
    checks_lost: list[str] = field(default_factory=list)  # passed in A, not in B
    checks_won: list[str] = field(default_factory=list)

    def metric(self, side: str, name: str) -> float | None:
        case = self.a if side == "a" else self.b
        if case is None:
            return None
        if name == "turns":
            return len(case.turns)
        if name == "rubric":
            return case.final_percent
        if name == "seconds":
            return case.seconds
        if name == "tokens":
            return case.usage.get("prompt_tokens", 0) + case.usage.get("completion_tokens", 0)
        return case.usage.get(name)


@dataclass
class Comparison:
    a: RunResult
    b: RunResult
    cases: list[CaseDelta]
    expectations: list[tuple[str, float | None, float | None]]
    criteria: list[tuple[str, float | None, float | None]]

    @property
    def regressions(self) -> list[CaseDelta]:
        return [c for c in self.cases if c.change == "regression"]


def _passed_checks(case: CaseResult | None) -> set[str]:
    return {c.name for c in case.checks if c.status == "passed"} if case else set()


def _classify(a: CaseResult | None, b: CaseResult | None) -> str:
    if a is None or b is None:
        return "new failure" if b is not None and b.status != "passed" else "changed"
    if a.status == "passed" and b.status != "passed":
        return "regression"
    if a.status != "passed" and b.status == "passed":
        return "fixed"
    if _passed_checks(a) != _passed_checks(b) or a.final_percent != b.final_percent:
        return "changed"
    return "same"


def _rates(run: RunResult) -> dict[str, float]:
    return {name: p / r for name, p, r, _ in pass_rate_by_expectation(run) if r}


def _criterion_means(run: RunResult) -> dict[str, float]:
    means = {}
    for criterion in CRITERIA:
        scores = [
            c.final_criteria[criterion.id] for c in run.cases if criterion.id in c.final_criteria
        ]
        if scores:
            means[criterion.id] = round(statistics.fmean(scores), 2)
    return means


def compare_runs(a: RunResult, b: RunResult) -> Comparison:
    by_a = {c.id: c for c in a.cases}
    by_b = {c.id: c for c in b.cases}
    deltas = []
    for case_id in list(dict.fromkeys([*by_a, *by_b])):
        ca, cb = by_a.get(case_id), by_b.get(case_id)
        lost = sorted(_passed_checks(ca) - _passed_checks(cb))
        won = sorted(_passed_checks(cb) - _passed_checks(ca))
        deltas.append(CaseDelta(case_id, ca, cb, _classify(ca, cb), lost, won))
    deltas.sort(key=lambda d: (CHANGE_ORDER[d.change], d.id))
    rates_a, rates_b = _rates(a), _rates(b)
    expectations = [(n, rates_a.get(n), rates_b.get(n)) for n in sorted({*rates_a, *rates_b})]
    means_a, means_b = _criterion_means(a), _criterion_means(b)
    criteria = [(c.id, means_a.get(c.id), means_b.get(c.id)) for c in CRITERIA]
    return Comparison(a, b, deltas, expectations, criteria)


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _cell(a: float | None, b: float | None, higher_is_better: bool, digits: int = 0) -> str:
    """B's value, red when it got worse than A and green when it got better."""
    css = ""
    if a is not None and b is not None and a != b:
        better = (b > a) == higher_is_better
        css = "passed" if better else "failed"
    return f'<td class="num {css}">{_fmt(a, digits)} → {_fmt(b, digits)}</td>'


def render_compare_html(cmp: Comparison) -> str:
    a_id, b_id = cmp.a.run_id, cmp.b.run_id
    exp_rows: list[tuple[str, float, float]] = [
        (n, round(ra * 100), round(rb * 100))
        for n, ra, rb in cmp.expectations
        if ra is not None and rb is not None
    ]
    crit_rows = [(n, ma, mb) for n, ma, mb in cmp.criteria if ma is not None and mb is not None]
    figures = (
        f"<figure><figcaption>Pass rate by expectation, A vs B <small>% of checks passed; red: "
        f"B is worse</small></figcaption>{paired('', exp_rows, ('A', 'B'), '%')}</figure>"
        f"<figure><figcaption>Mean rubric score per criterion, A vs B <small>0-2</small>"
        f"</figcaption>{paired('', crit_rows, ('A', 'B'))}</figure>"
    )
    rows = []
    for d in cmp.cases:
        css = (
            "failed"
            if d.change in ("regression", "new failure")
            else ("passed" if d.change == "fixed" else "")
        )
        detail = ""
        if d.checks_lost:
            detail += "lost: " + ", ".join(d.checks_lost)
        if d.checks_won:
            detail += (" · " if detail else "") + "won: " + ", ".join(d.checks_won)
        rows.append(
            f'<tr><td class="{css}"><b>{escape(d.change)}</b></td><td>{escape(d.id)}</td>'
            f"<td>{escape(d.a.status if d.a else '–')} → {escape(d.b.status if d.b else '–')}</td>"
            + _cell(d.metric("a", "rubric"), d.metric("b", "rubric"), True)
            + _cell(d.metric("a", "turns"), d.metric("b", "turns"), False)
            + _cell(d.metric("a", "tokens"), d.metric("b", "tokens"), False)
            + _cell(d.metric("a", "cost_gbp"), d.metric("b", "cost_gbp"), False, 4)
            + _cell(d.metric("a", "seconds"), d.metric("b", "seconds"), False, 1)
            + f'<td class="{css}">{escape(detail)}</td></tr>'
        )
    summary = (
        f"{len(cmp.regressions)} regressions · pass rate {cmp.a.pass_rate * 100:.0f}% → "
        f"{cmp.b.pass_rate * 100:.0f}%"
    )
    prompts = " · ".join(
        f"{side}: {escape(run.coach_mode)} {escape(', '.join(run.prompt_versions.values()))}"
        for side, run in (("A", cmp.a), ("B", cmp.b))
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Compare {escape(a_id)} with {escape(b_id)}</title><style>{CSS}</style></head>"
        f"<body><h1>A {escape(a_id)} → B {escape(b_id)}</h1><div class=meta>{prompts}</div>"
        f'<div class="note">{escape(summary)}</div><div class="grid">{figures}</div>'
        "<h2>Cases, regressions first</h2><table><tr><th>change</th><th>case</th><th>result</th>"
        "<th>rubric %</th><th>turns</th><th>tokens</th><th>cost £</th><th>seconds</th>"
        "<th>checks</th></tr>" + "".join(rows) + "</table></body></html>"
    )


def write_compare(cmp: Comparison, root: Path) -> Path:
    folder = root / f"compare-{cmp.a.run_id}--{cmp.b.run_id}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.html"
    path.write_text(render_compare_html(cmp), encoding="utf-8")
    return path
