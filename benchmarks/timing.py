"""Small timing helpers shared by every benchmark section."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; 0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def time_calls(function: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds for each of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary_ms(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "p99_ms": round(percentile(samples, 99), 2),
        "mean_ms": round(statistics.fmean(samples), 2) if samples else 0.0,
        "n": len(samples),
    }
