"""Privacy guard: missed identifiers and false positives by kind, speed, load time.

Two yardsticks. The generated corpus (benchmarks/privacy_corpus.py) in its two parts: "tuning"
is what the guard was developed against, "held_back" is wording it was never tuned on. And the
independent set (benchmarks/privacy_independent.py), written by someone who never read the
guard's code: formats nobody here listed. Latency is per message with Presidio already loaded;
the load itself is timed in a fresh process, as a server or CLI pays it once.

The guard's cost (issue 19: p95 under 50 ms per message) is measured on one realistic mix, every
message of both corpus parts and of the independent set in turn, with the name model's cache
emptied first, so a sentence's first reading is a real model call, as in production. Wall time
on a shared machine depends on its load; CPU time of the thread says what the guard itself costs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter

from benchmarks import privacy_independent
from benchmarks.privacy_corpus import corpus, survives
from benchmarks.timing import summary_ms
from bot.privacy import presidio_engine, redact_identifiers

_LOAD_SCRIPT = (
    "import json, time\n"
    "started = time.perf_counter()\n"
    "from bot.privacy import presidio_engine\n"
    "presidio_engine.warm_up()\n"
    "print(json.dumps({'import_and_load_s': time.perf_counter() - started,"
    " 'load_s': presidio_engine.load_seconds()}))\n"
)


def _cold_load() -> dict[str, float]:
    """Presidio and the spaCy model loaded in a new process, as `coach` or the server does."""
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_SCRIPT], capture_output=True, text=True, check=True
    )
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    return {key: round(value, 2) for key, value in timings.items()}


def _part(name: str) -> dict:
    planted: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    ordinary = false_positives = 0
    samples: list[float] = []
    presidio_engine.clear_cache()  # time the model's readings, not the previous section's cache
    for sample in corpus(name):  # type: ignore[arg-type]
        started = time.perf_counter()
        result = redact_identifiers(sample.text)
        samples.append((time.perf_counter() - started) * 1000)
        if sample.kind == "ordinary":
            ordinary += 1
            false_positives += result.changed
        else:
            planted[sample.kind] += 1
            missed[sample.kind] += any(survives(s, result.text) for s in sample.secrets)
    recall = {kind: round(1 - missed[kind] / count, 4) for kind, count in planted.items()}
    missed_by_kind = {kind: f"{missed[kind]}/{count}" for kind, count in planted.items()}
    return {
        "planted": sum(planted.values()),
        "missed": sum(missed.values()),
        "recall": recall,
        "missed_by_kind": missed_by_kind,
        "ordinary": ordinary,
        "false_positives": false_positives,
        "false_positive_rate": round(false_positives / ordinary, 4),
        "latency": summary_ms(samples),
    }


GUARD_P95_TARGET_MS = 50.0


def guard_cost() -> dict:
    """Per-message wall and CPU time of the guard over the realistic mix (module docstring)."""
    positives, negatives = privacy_independent.load()
    texts = [sample.text for name in ("tuning", "held_back") for sample in corpus(name)]  # type: ignore[arg-type]
    texts += [message.text for message in (*positives, *negatives)]
    presidio_engine.clear_cache()
    wall: list[float] = []
    cpu: list[float] = []
    for text in texts:
        started, cpu_started = time.perf_counter(), time.thread_time()
        redact_identifiers(text)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)
    wall_summary, cpu_summary = summary_ms(wall), summary_ms(cpu)
    return {
        "messages": len(texts),
        "target_p95_ms": GUARD_P95_TARGET_MS,
        "wall": wall_summary,
        "cpu": cpu_summary,
        "meets_target": wall_summary["p95_ms"] < GUARD_P95_TARGET_MS,
    }


def run() -> dict:
    cold = _cold_load()
    presidio_engine.warm_up()
    return {
        "presidio_cold_load": cold,
        "guard_cost": guard_cost(),
        **{name: _part(name) for name in ("tuning", "held_back")},
        "independent": privacy_independent.measure(),
    }
