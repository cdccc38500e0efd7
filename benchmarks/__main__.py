"""Run every benchmark section, print one table per section and write results/latest.json."""

from __future__ import annotations

import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import (
    answers,
    calibration,
    engine,
    growth,
    privacy,
    recognition,
    retrieval,
    slack,
    startup,
)

RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = {
    "startup": startup.run,
    "growth": growth.run,
    "retrieval": retrieval.run,
    "answers": answers.run,
    "engine": engine.run,
    "slack": slack.run,
    "privacy": privacy.run,
    "recognition": recognition.run,
    "calibration": calibration.run,
}


def _startup_table(console: Console, result: dict) -> None:
    table = Table(
        title=f"Start-up, a fresh process each run (median of {startup.RUNS} rounds)",
        title_justify="left",
    )
    for column in ("command", "median wall", "fastest", "median CPU", "over the floor", "goal"):
        table.add_column(column)
    for name, row in result.items():
        if not isinstance(row, dict):
            continue
        goal = "–"
        if row["goal"] is not None:
            goal = f"{row['goal']} " + ("✓" if row["meets_goal"] else "✗")
        table.add_row(
            name,
            f"{row['median_s']:.2f} s",
            f"{row['min_s']:.2f} s",
            f"{row['median_cpu_s']:.2f} s",
            (
                f"{row['over_floor_s']:+.2f} s ({row['over_floor_cpu_s']:+.2f} s CPU)"
                if "over_floor_s" in row
                else ""
            ),
            goal,
        )
    console.print(table)


def _retrieval_tables(console: Console, result: dict) -> None:
    table = Table(title="Retrieval quality (labelled paraphrases)", title_justify="left")
    for column in ("mode", "questions", "hit@1", "hit@3", "MRR"):
        table.add_column(column)
    for row in result["quality"]:
        table.add_row(
            row["mode"],
            str(row["questions"]),
            f"{row['hit_at_1']:.3f}",
            f"{row['hit_at_3']:.3f}",
            f"{row['mrr']:.3f}",
        )
    console.print(table)
    lat = result["warm_query_latency"]
    speed = Table(title="Retrieval speed", title_justify="left", show_header=False)
    speed.add_row("files / passages", f"{result['files']} / {result['passages']}")
    speed.add_row("embedding model cold load", f"{result['model_load_s']:.2f} s")
    speed.add_row("full index", f"{result['full_index_s']:.2f} s")
    speed.add_row(
        "re-index, unchanged",
        f"{result['unchanged_reindex_s']:.3f} s ({result['unchanged_reindex_embedded']} embedded;"
        f" {result['reindex_ratio']:.1%} of a full index)",
    )
    speed.add_row("warm query p50 / p95", f"{lat['p50_ms']:.1f} / {lat['p95_ms']:.1f} ms")
    console.print(speed)


def _answers_tables(console: Console, result: dict) -> None:
    table = Table(title=f"Knowledge answers ({result['set']})", title_justify="left")
    for column in ("questions", "n", "passed", "facts", "cited", "≤ 200 words", "source cited"):
        table.add_column(column)
    rows = [("all (settled)", result["all"]), ("pending a KB fix", result["pending_kb_fix"])]
    if result.get("holdout_set"):
        rows.append(("held out A (read after 1st run)", result["holdout"]))
    if result.get("final_set"):
        rows.append(("held out B (totals only)", result["final"]))
    rows += [(f"style: {k}", v) for k, v in result["by_style"].items()]
    rows += [(f"kind: {k}", v) for k, v in result["by_kind"].items()]
    for name, row in rows:
        table.add_row(
            name,
            str(row["questions"]),
            f"{row['passed']:.0%}",
            f"{row['facts']:.0%}",
            f"{row['cited']:.0%}",
            f"{row['under_200_words']:.0%}",
            f"{row['source_cited']:.0%}",
        )
    console.print(table)
    warm, cold = result["warm_ms"], result["cold"]
    goal = "✓" if result["warm_goal_met"] else "✗"
    console.print(
        f"answer warm p50 / p95 {warm['p50_ms']:.0f} / {warm['p95_ms']:.0f} ms (goal < "
        f"{answers.WARM_GOAL_MS} ms {goal}); `coach ask` cold p50 {cold['p50_s']} s "
        f"(max {cold['max_s']} s); embedding every sentence once {result['sentence_vectors_s']} s",
        highlight=False,
    )


def _p(stats: dict, high: str = "p95_ms") -> str:
    """'p50 / pNN ms' from a timing summary."""
    return f"{stats['p50_ms']:.1f} / {stats[high]:.1f} ms"


def _goal(value: float, limit: float) -> str:
    return f" (goal ≤ {limit:,g} " + ("✓)" if value <= limit else "✗)")


def _engine_table(console: Console, result: dict) -> None:
    goals = engine.GOALS
    table = Table(title="Coaching engine", title_justify="left", show_header=False)
    guided = result["guided_turn"]
    table.add_row(
        "guided turn p50 / p95 (no model, scripted answers)",
        _p(guided) + _goal(guided["p50_ms"], goals["guided_turn_p50_ms"]),
    )
    table.add_row("guided turn p50 / p95 (every text new)", _p(result["guided_turn_new_text"]))
    table.add_row("guided turns per statement", f"{result['guided_turns_per_statement']:.1f}")
    table.add_row("LLM turn p50 / p95 (scripted model)", _p(result["llm_turn_with_scripted_model"]))
    overhead = result["llm_engine_overhead"]
    table.add_row(
        "LLM engine overhead p50 / p95 (turn less model time)",
        _p(overhead) + _goal(overhead["p50_ms"], goals["llm_engine_overhead_p50_ms"]),
    )
    table.add_row("LLM turns per statement", f"{result['llm_turns_per_statement']:.1f}")
    table.add_row("LLM model calls per statement", f"{result['llm_model_calls_per_statement']:.1f}")
    per_turn = result["llm_model_calls_per_turn"]
    table.add_row(
        "LLM model calls per turn",
        f"{per_turn:.2f}" + _goal(per_turn, goals["llm_model_calls_per_turn"]),
    )
    tokens = result["llm_prompt_tokens_per_statement"]
    table.add_row(
        "LLM prompt tokens per statement",
        f"{tokens:,.0f}" + _goal(tokens, goals["llm_prompt_tokens_per_statement"]),
    )
    console.print(table)


def _slack_table(console: Console, result: dict) -> None:
    table = Table(title="Slack (HTTP on loopback)", title_justify="left", show_header=False)
    ack = result["ack_latency"]
    table.add_row(
        f"slash-command ack, {ack['concurrency']} concurrent, p50 / p99",
        _p(ack, "p99_ms") + f" (target p99 < 100 ms; errors {ack['errors']})",
    )
    table.add_row("thread message → first reply p50 / p95", _p(result["first_reply_llm_scripted"]))
    cold = result["cold_start"]
    table.add_row("cold start → first ack", f"{cold['first_ack_s']} s (limit {cold['limit_s']} s)")
    console.print(table)


def _privacy_table(console: Console, result: dict) -> None:
    parts = ("tuning", "held_back")
    table = Table(title="Privacy guard (generated corpus)", title_justify="left")
    table.add_column("")
    for part in parts:
        table.add_column(part.replace("_", "-"))
    for kind in result["tuning"]["recall"]:
        table.add_row(f"recall: {kind}", *(f"{result[p]['recall'][kind]:.1%}" for p in parts))
    table.add_row(
        "identifiers missed", *(f"{result[p]['missed']}/{result[p]['planted']}" for p in parts)
    )
    table.add_row(
        "false positives",
        *(
            f"{result[p]['false_positives']}/{result[p]['ordinary']}"
            f" ({result[p]['false_positive_rate']:.1%})"
            for p in parts
        ),
    )
    table.add_row("per message p50 / p95", *(_p(result[p]["latency"]) for p in parts))
    cold = result["presidio_cold_load"]
    table.add_row("Presidio + spaCy cold load", f"{cold['load_s']:.2f} s", "")
    console.print(table)
    cost = result.get("guard_cost")
    if cost:
        _guard_cost_table(console, cost)
    independent = result.get("independent")
    if independent:
        _privacy_independent_table(console, independent)


def _guard_cost_table(console: Console, cost: dict) -> None:
    target = cost["target_p95_ms"]
    verdict = "meets" if cost["meets_target"] else "MISSES"
    table = Table(
        title=f"Privacy guard cost per message ({cost['messages']} messages, both sets; "
        f"goal p95 < {target:g} ms)",
        title_justify="left",
    )
    for column in ("", "p50", "p95", "p99", "mean"):
        table.add_column(column)
    for label, summary in (("wall", cost["wall"]), ("CPU (this thread)", cost["cpu"])):
        table.add_row(
            label, *(f"{summary[k]} ms" for k in ("p50_ms", "p95_ms", "p99_ms", "mean_ms"))
        )
    table.add_row("wall p95 vs goal", "", f"{cost['wall']['p95_ms']} ms: {verdict} {target:g} ms")
    console.print(table)


def _privacy_independent_table(console: Console, result: dict) -> None:
    table = Table(title="Privacy guard (independent set)", title_justify="left")
    table.add_column("")
    table.add_column("value")
    for kind, ratio in result["missed_by_kind"].items():
        table.add_row(f"missed: {kind}", ratio)
    table.add_row(
        "identifiers missed",
        f"{result['missed']}/{result['planted']} ({result['missed_rate']:.1%})",
    )
    table.add_row(
        "false positives (messages)",
        f"{result['false_positive_messages']}/{result['negatives']}"
        f" ({result['false_positive_rate']:.1%}); keep tokens altered "
        f"{result['keep_tokens_altered']}/{result['keep_tokens']}",
    )
    for kind, count in result["false_positives_by_kind_removed"].items():
        table.add_row(f"false positive: {kind}", str(count))
    table.add_row("per message p50 / p95", _p(result["latency"]))
    if "cpu_latency" in result:
        table.add_row("per message CPU p50 / p95", _p(result["cpu_latency"]))
    console.print(table)


def _recognition_tables(console: Console, result: dict) -> None:
    model, hashing = result["model"], result["hashing_fallback"]
    table = Table(
        title=f"Answer recognition, held-back sentences ({model['sentences']}; goal macro-F1 "
        f"≥ {result['goal_macro_f1']})",
        title_justify="left",
    )
    for column in ("question", "n", "precision", "recall", "F1", "F1 (no model)"):
        table.add_column(column)
    for row, plain in zip(model["questions"], hashing["questions"], strict=True):
        table.add_row(
            row["question"],
            str(row["n"]),
            f"{row['precision']:.2f}",
            f"{row['recall']:.2f}",
            f"{row['f1']:.2f}",
            f"{plain['f1']:.2f}",
        )
    table.add_row(
        "macro", "", "", "", f"[bold]{model['macro_f1']:.3f}[/bold]", f"{hashing['macro_f1']:.3f}"
    )
    console.print(table)
    users = Table(title="Scripted users (guided)", title_justify="left")
    for column in ("user", "turns", "misfiled or lost / labelled parts", "draft score /20"):
        users.add_column(column)
    for name, row in result["scripted_users"].items():
        turns = row.get("turns", row.get("turns_to_draft"))
        users.add_row(
            name,
            str(turns),
            f"{row['misfiled_or_lost']} / {row['labelled_parts']}",
            "–" if row["score"] is None else str(row["score"]),
        )
    console.print(users)
    console.print(
        f"misfiled-answer drafts score {result['misfiled_draft_percent']}% (must be < 50%); "
        f"recogniser training {model['warm_up_s']} s once per process, "
        f"{model['ms_per_sentence']:.1f} ms per sentence"
    )


def _calibration_tables(console: Console, result: dict) -> None:
    goal = result["goal_spearman"]
    rho = result["spearman"]
    ceiling = result["weak_ceiling_percent"]
    console.print(
        f"Rubric against a reader ({result['drafts']} rated drafts): Spearman "
        f"[bold]{rho:.3f}[/bold] (goal ≥ {goal} {'✓' if rho >= goal else '✗'}); drafts rated "
        f"≤ 4 above {ceiling}%: {result['weak_above_ceiling']}/{result['weak_drafts']} "
        f"({result['weak_above_ceiling_share']:.0%}; goal none "
        f"{'✓' if not result['weak_above_ceiling'] else '✗'})"
    )
    categories = Table(title="Rubric by category", title_justify="left")
    for column in ("category", "drafts", "mean rating", "mean rubric %"):
        categories.add_column(column)
    for name, row in result["categories"].items():
        categories.add_row(
            name, str(row["drafts"]), f"{row['mean_rating']:.1f}", f"{row['mean_percent']:.0f}%"
        )
    console.print(categories)
    console.print(
        "[bold]Worst disagreements[/bold] (rank gap: + the rubric is kinder than the reader)"
    )
    for row in result["worst"]:
        console.print(
            f"  {row['id']} {row['category']}: reader {row['rating']}/10, rubric "
            f"{row['percent']}% ({row['rank_gap']:+.2f}); marked down: {row['low_criteria']}",
            highlight=False,
        )
        console.print(f"      why: {row['why']}", highlight=False, style="dim")


def _growth_tables(console: Console, result: dict) -> None:
    drafts = Table(title="Cost as the drafts table grows (p50, ratio to 1k)", title_justify="left")
    for column in ("drafts stored", "guided turn", "list my drafts", "thread → draft lookup"):
        drafts.add_column(column)
    for row in result["drafts"]:
        drafts.add_row(
            f"{row['drafts']:,}",
            *(
                f"{row[key]['p50_ms']:.1f} ms (×{row[f'{key}_ratio']})"
                for key in ("turn", "list_my_drafts", "thread_lookup")
            ),
        )
    console.print(drafts)
    knowledge = Table(
        title="Cost as the knowledge base grows (p50, ratio to 1×)", title_justify="left"
    )
    for column in ("knowledge base", "passages", "index", "search load", "turn", "question"):
        knowledge.add_column(column)
    for row in result["knowledge"]:
        knowledge.add_row(
            f"×{row['copies']}",
            f"{row['passages']:,}",
            f"{row['index_s']:.1f} s",
            f"{row['search_load_s']:.2f} s",
            *(
                f"{row[key]['p50_ms']:.1f} ms (×{row[f'{key}_ratio']})"
                for key in ("turn", "knowledge_question")
            ),
        )
    console.print(knowledge)
    console.print(f"[dim]chart: {RESULTS / 'growth.html'}[/dim]")


PRINTERS = {
    "startup": _startup_table,
    "retrieval": _retrieval_tables,
    "answers": _answers_tables,
    "engine": _engine_table,
    "slack": _slack_table,
    "privacy": _privacy_table,
    "recognition": _recognition_tables,
    "growth": _growth_tables,
    "calibration": _calibration_tables,
}


def main(argv: list[str]) -> int:
    wanted = argv or list(SECTIONS)
    unknown = [name for name in wanted if name not in SECTIONS]
    if unknown:
        print(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
        return 2
    console = Console()
    RESULTS.mkdir(exist_ok=True)
    latest = RESULTS / "latest.json"
    # A run of some sections keeps the others' last results, each stamped with its own run.
    results: dict = (
        json.loads(latest.read_text(encoding="utf-8")) if argv and latest.exists() else {}
    )
    results.update(
        when=datetime.now(UTC).isoformat(timespec="seconds"),
        python=platform.python_version(),
        machine=platform.machine(),
    )
    for name in wanted:
        started = time.perf_counter()
        console.print(f"[bold]· {name}[/bold]")
        results[name] = SECTIONS[name]()
        results[name]["section_seconds"] = round(time.perf_counter() - started, 1)
        results[name]["measured_at"] = results["when"]
        if name == "growth":
            (RESULTS / "growth.html").write_text(growth.chart(results[name]), encoding="utf-8")
        PRINTERS[name](console, results[name])
    latest.write_text(json.dumps(results, indent=2), encoding="utf-8")
    console.print(f"[dim]wrote {RESULTS / 'latest.json'}[/dim]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
