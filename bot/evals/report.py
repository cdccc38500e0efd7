"""The run report: `summary.md` for a terminal or a pull request, `report.html` for a browser.

The HTML is one self-contained file (inline CSS and SVG, no scripts, no web fonts), because
these machines and many NHS networks cannot fetch from a CDN. Failures come first: a maintainer
opens the report to find out what broke.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape
from pathlib import Path

from bot.coaching.rubric import CRITERIA
from bot.evals.charts import AMBER, BLUE, GREEN, GREY, PURPLE, RED, Bar, Segment, bars, stacked
from bot.evals.results import CaseResult, CheckResult, RunResult

STATUS_ORDER = {"error": 0, "failed": 1, "skipped": 2, "passed": 3}
STATUS_MARK = {"passed": "✓", "failed": "✗", "error": "!", "skipped": "–", "not_run": "·"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;
color:#212121;max-width:1320px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#555;font-size:13px}.note{background:#fff8e1;border-left:4px solid #ef8f00;
padding:6px 10px;margin:10px 0;font-size:13px}
.tiles{display:flex;gap:12px;flex-wrap:wrap;margin:14px 0}
.tile{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.tile b{display:block;font-size:22px}.tile span{font-size:12px;color:#555}
.gate-pass{border-color:#2e7d32;background:#e8f5e9}.gate-fail{border-color:#c62828;background:#ffebee}
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:8px 28px}
.grid figure{margin:0}.grid figcaption{font-weight:600;font-size:14px;margin:10px 0 4px}
.grid figcaption small{font-weight:400;color:#666}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#fafafa}.passed{color:#2e7d32}.failed,.error{color:#c62828}
.skipped,.not_run{color:#757575}.num{text-align:right;white-space:nowrap}
details{margin:2px 0}summary{cursor:pointer}
.turn{border-left:3px solid #90caf9;margin:6px 0 6px 8px;padding:2px 8px;font-size:12.5px}
.turn .who{font-weight:600}.turn pre{white-space:pre-wrap;margin:2px 0;font-family:inherit}
.checks li{font-size:12.5px}.tag{display:inline-block;background:#eceff1;border-radius:3px;
padding:0 4px;margin:1px;font-size:11px}
"""


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def check_family(check: CheckResult) -> str:
    """Group text checks together; keep every other expectation by name."""
    return "text checks" if check.name.startswith("text:") else check.name


def pass_rate_by_expectation(run: RunResult) -> list[tuple[str, int, int, int]]:
    """(expectation, passed, ran, not run), worst first."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for case in run.cases:
        for check in case.checks:
            counts[check_family(check)][check.status] += 1
    rows = []
    for name, c in counts.items():
        ran = c["passed"] + c["failed"] + c["error"]
        rows.append((name, c["passed"], ran, c["not_run"]))
    return sorted(rows, key=lambda r: (r[1] / r[2] if r[2] else 2, r[0]))


def pass_rate_by_tag(run: RunResult, dimensions_only: bool = False) -> list[tuple[str, int, int]]:
    """(tag, passed, cases), worst first; `dimensions_only` keeps partner type, strength and
    behaviour (what the suite is designed to cover) and drops free-form topic tags."""
    counts: dict[str, Counter[bool]] = defaultdict(Counter)
    for case in run.counted:
        tags = (
            [case.partner_type, case.strength, *case.behaviours] if dimensions_only else case.tags
        )
        for tag in tags:
            counts[tag][case.status == "passed"] += 1
    rows = [(tag, c[True], c[True] + c[False]) for tag, c in counts.items()]
    return sorted(rows, key=lambda r: (r[1] / r[2], r[0]))


TOP_CASES = 12  # per-case charts show the heaviest cases; the table below lists all


def _rate_colour(rate: float) -> str:
    return GREEN if rate >= 0.999 else (AMBER if rate >= 0.7 else RED)


def charts(run: RunResult) -> list[tuple[str, str, str]]:
    """(title, subtitle, svg) for each chart in the report."""
    out = []
    rows = []
    for name, passed, ran, skipped in pass_rate_by_expectation(run):
        if ran:
            text = f"{passed}/{ran}" + (f" · {skipped} not run" if skipped else "")
            rows.append(Bar(name, passed / ran, text, _rate_colour(passed / ran)))
        else:
            rows.append(Bar(name, 0, f"not run ({skipped})", GREY))
    out.append(("Pass rate by expectation", "checks passed / checks run", bars("", rows, 1)))
    tag_rows = [
        Bar(tag, p / n, f"{p}/{n} cases", _rate_colour(p / n))
        for tag, p, n in pass_rate_by_tag(run, dimensions_only=True)
    ]
    out.append(
        (
            "Pass rate by tag",
            "partner type, strength and behaviour: cases passed / cases with the tag",
            bars("", tag_rows, 1),
        )
    )
    drafted = [c for c in run.cases if c.final_criteria]
    dist = []
    for criterion in CRITERIA:
        scores = Counter(c.final_criteria.get(criterion.id, 0) for c in drafted)
        dist.append(
            (
                criterion.name,
                [
                    Segment(scores[0], RED, "0 – missing"),
                    Segment(scores[1], AMBER, "1 – partly"),
                    Segment(scores[2], GREEN, "2 – met"),
                ],
            )
        )
    out.append(
        (
            "Rubric scores of the final drafts",
            f"how many of {len(drafted)} drafts scored 0, 1 or 2 on each criterion",
            stacked("", dist),
        )
    )
    finished = Counter(len(c.turns) for c in run.cases if c.stop_reason == "accepted")
    unfinished = Counter(c.stop_reason for c in run.cases if c.stop_reason != "accepted")
    turn_rows = [Bar(f"{n} turns", k, f"{k} cases", BLUE) for n, k in sorted(finished.items())]
    turn_rows += [
        Bar(f"not finished: {why}", k, f"{k} cases", RED) for why, k in unfinished.items()
    ]
    out.append(
        (
            "Turns to a finished draft",
            "how many cases needed N user messages until the draft was accepted",
            bars("", turn_rows),
        )
    )
    heaviest = sorted(run.cases, key=lambda c: -_tokens(c))[:TOP_CASES]
    token_rows = []
    for case in heaviest:
        cost = case.usage.get("cost_gbp", 0.0)
        hits = int(case.usage.get("cache_hits", 0))
        text = f"{_tokens(case):,.0f} tok · £{cost:.4f}" + (f" · {hits} cached" if hits else "")
        token_rows.append(Bar(case.id, _tokens(case), text, PURPLE))
    if any(r.value for r in token_rows):
        subtitle = f"the {len(token_rows)} heaviest cases: tokens and estimated cost (prices.yaml)"
        chart = bars("", token_rows)
    else:
        subtitle = "no model calls in this run (guided coach): nothing spent"
        chart = bars("", [])
    out.append(("Tokens and cost per case", subtitle, chart))
    turns_total = sum(len(c.turns) for c in run.cases) or 1
    per_turn = sum(c.seconds for c in run.cases) / turns_total
    latency_rows = [
        Bar(
            c.id,
            c.seconds,
            f"{c.seconds:.1f} s · {c.seconds / max(len(c.turns), 1):.2f} s/turn",
            BLUE,
        )
        for c in sorted(run.cases, key=lambda c: -c.seconds)[:TOP_CASES]
    ]
    out.append(
        (
            "Latency per case",
            f"the {len(latency_rows)} slowest conversations; {per_turn:.2f} s per turn overall",
            bars("", latency_rows),
        )
    )
    return out


def _tokens(case: CaseResult) -> float:
    return case.usage.get("prompt_tokens", 0) + case.usage.get("completion_tokens", 0)


def _tile(value: str, label: str, css: str = "") -> str:
    return f'<div class="tile {css}"><b>{escape(value)}</b><span>{escape(label)}</span></div>'


def _checks_html(case: CaseResult) -> str:
    items = []
    for check in case.checks:
        mark = STATUS_MARK[check.status]
        items.append(
            f'<li class="{check.status}">{mark} <b>{escape(check.name)}</b>: '
            f"{escape(check.reason)}</li>"
        )
    return f'<ul class="checks">{"".join(items)}</ul>'


def _transcript_html(case: CaseResult) -> str:
    turns = []
    for turn in case.turns:
        label = f"{turn.n}. user ({turn.intent}" + (
            f": {', '.join(turn.facts)}" if turn.facts else ""
        )
        turns.append(
            f'<div class="turn"><div class="who">{escape(label)})</div>'
            f"<pre>{escape(turn.user)}</pre>"
            f'<div class="who">coach · {escape(turn.kind)} · {turn.seconds:.2f} s'
            f"{' · next: ' + escape(turn.asked_key) if turn.asked_key else ''}</div>"
            f"<pre>{escape(turn.coach)}</pre></div>"
        )
    return "".join(turns) or "<p>(no turns)</p>"


def _failing(case: CaseResult) -> str:
    bad = [c.name for c in case.checks if c.status in ("failed", "error")]
    if case.error:
        bad.insert(0, case.error[:120])
    return ", ".join(bad)


def render_html(run: RunResult) -> str:
    totals = run.totals
    gate = "gate-pass" if run.gate_passed else "gate-fail"
    verdict = "CI gate passed" if run.gate_passed else "CI gate FAILED"
    tiles = [
        _tile(_pct(run.pass_rate), f"{verdict} (threshold {_pct(run.pass_threshold)})", gate),
        _tile(f"{int(totals.get('passed', 0))}/{len(run.cases)}", "cases passed"),
        _tile(f"{int(totals.get('calls', 0))}", "model calls made"),
        _tile(f"{int(totals.get('cache_hits', 0))}", "served from cache"),
        _tile(
            f"{int(totals.get('prompt_tokens', 0) + totals.get('completion_tokens', 0)):,}",
            "tokens",
        ),
        _tile(f"£{totals.get('cost_gbp', 0):.4f}", "estimated cost"),
        _tile(f"{run.seconds:.0f} s", "wall clock"),
    ]
    if totals.get("judged_not_run"):
        tiles.append(_tile(f"{int(totals['judged_not_run'])}", "judged checks not run"))
    if totals.get("judge_errors"):
        tiles.append(
            _tile(f"{int(totals['judge_errors'])}", "unparseable judge replies", "gate-fail")
        )
    prompts = ", ".join(run.prompt_versions.values()) or "none (guided coach)"
    meta = (
        f"{escape(run.started_at)} · commit {escape(run.git_commit or '?')} · coach "
        f"<b>{escape(run.coach_mode)}</b>{' (' + escape(run.model) + ')' if run.model else ''}"
        f" · judge {escape(run.judge_model or 'none')} · simulated user "
        f"{escape(run.user_model or 'rule-based')} · seed {run.options.get('seed')} · prompts "
        f"{escape(prompts)}"
    )
    notes = "".join(f'<div class="note">{escape(n)}</div>' for n in run.notes)
    figures = "".join(
        f"<figure><figcaption>{escape(t)} <small>{escape(s)}</small></figcaption>{svg}</figure>"
        for t, s, svg in charts(run)
    )
    rows = []
    for case in sorted(run.cases, key=lambda c: (STATUS_ORDER[c.status], c.id)):
        tags = "".join(f'<span class="tag">{escape(t)}</span>' for t in case.tags)
        percent = "–" if case.final_percent is None else f"{case.final_percent}%"
        rows.append(
            f'<tr><td class="{case.status}">{STATUS_MARK[case.status]} {case.status}</td>'
            f"<td><details><summary><b>{escape(case.id)}</b> — {escape(case.title)}</summary>"
            f"{_checks_html(case)}<details><summary>transcript ({len(case.turns)} turns)"
            f"</summary>{_transcript_html(case)}</details></details>{tags}</td>"
            f'<td>{escape(case.stop_reason)}</td><td class="num">{len(case.turns)}</td>'
            f'<td class="num">{percent}</td><td class="failed">{escape(_failing(case))}</td></tr>'
        )
    table = (
        "<table><tr><th>result</th><th>case (click for checks and transcript)</th>"
        "<th>stopped</th><th>turns</th><th>rubric</th><th>failing</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Eval {escape(run.run_id)}</title><style>{CSS}</style></head><body>"
        f"<h1>Partnership Coach prompt evals · {escape(run.run_id)}</h1>"
        f'<div class="meta">{meta}</div>{notes}<div class="tiles">{"".join(tiles)}</div>'
        f'<h2>Charts</h2><div class="grid">{figures}</div>'
        f"<h2>Cases ({len(run.cases)}), failures first</h2>{table}</body></html>"
    )


def render_summary(run: RunResult) -> str:
    totals = run.totals
    lines = [
        f"# Eval run {run.run_id}",
        "",
        f"- coach: {run.coach_mode}{f' ({run.model})' if run.model else ''}; judge: "
        f"{run.judge_model or 'none'}; commit {run.git_commit or '?'}",
        f"- pass rate **{_pct(run.pass_rate)}** ({int(totals.get('passed', 0))}/{len(run.cases)}"
        f" cases), threshold {_pct(run.pass_threshold)}: "
        f"**{'gate passed' if run.gate_passed else 'GATE FAILED'}**",
        f"- model calls {int(totals.get('calls', 0))}, cache hits "
        f"{int(totals.get('cache_hits', 0))}, tokens "
        f"{int(totals.get('prompt_tokens', 0) + totals.get('completion_tokens', 0)):,}, "
        f"cost £{totals.get('cost_gbp', 0):.4f}, {run.seconds:.0f} s",
    ]
    lines += [f"- {note}" for note in run.notes]
    lines += ["", "| expectation | passed | ran | not run |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {n} | {p} | {r} | {s} |" for n, p, r, s in pass_rate_by_expectation(run)]
    lines += [
        "",
        "| case | result | stopped | turns | rubric | failing |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for case in sorted(run.cases, key=lambda c: (STATUS_ORDER[c.status], c.id)):
        percent = "–" if case.final_percent is None else f"{case.final_percent}%"
        lines.append(
            f"| {case.id} | {case.status} | {case.stop_reason} | {len(case.turns)} | {percent} "
            f"| {_failing(case).replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n"


def write_report(run: RunResult, folder: Path) -> Path:
    """results.json, summary.md and report.html in `folder`; returns the HTML path."""
    run.save(folder)
    (folder / "summary.md").write_text(render_summary(run), encoding="utf-8")
    html = folder / "report.html"
    html.write_text(render_html(run), encoding="utf-8")
    return html
