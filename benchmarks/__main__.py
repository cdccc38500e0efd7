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

from benchmarks import retrieval

RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = {"retrieval": retrieval.run}


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


PRINTERS = {"retrieval": _retrieval_tables}


def main(argv: list[str]) -> int:
    wanted = argv or list(SECTIONS)
    console = Console()
    results: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    for name in wanted:
        started = time.perf_counter()
        console.print(f"[bold]· {name}[/bold]")
        results[name] = SECTIONS[name]()
        results[name]["section_seconds"] = round(time.perf_counter() - started, 1)
        PRINTERS[name](console, results[name])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    console.print(f"[dim]wrote {RESULTS / 'latest.json'}[/dim]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
