"""The independent privacy set: messages written by someone who never read the guard's code.

``tests/data/privacy_independent.yaml`` (see the ``.md`` beside it) holds positive messages with
their planted identifiers ({kind, value}) and negative messages with the tokens that must
survive untouched (``keep``). It is a yardstick for formats the guard was never tuned to, so it
is read here and never edited to suit the guard.

Survival is judged the way a person scanning the output would: a value with digits survives
when its digits and letters, normalised (any script's digits, O for zero, separators dropped),
still appear in the normalised output; a name survives when any of its words (three letters or
more, titles aside) still appears as a whole word; anything else when its normalised text does.
A negative's ``keep`` token is a false positive when it no longer appears verbatim.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.timing import summary_ms
from bot.privacy import presidio_engine, redact_identifiers
from bot.privacy.normalise import normalise

__all__ = ["SET_PATH", "Negative", "Positive", "load", "measure", "survives", "surviving"]

SET_PATH = Path(__file__).resolve().parent.parent / "tests" / "data" / "privacy_independent.yaml"
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "master"}
# Words inside a planted name value that are no part of anyone's name ("Mr and Mrs Atkinson").
_NOT_NAME_WORDS = _TITLES | {"and", "the", "of"}


@dataclass(frozen=True)
class Positive:
    id: str
    text: str
    identifiers: tuple[tuple[str, str], ...]  # (kind, value)


@dataclass(frozen=True)
class Negative:
    id: str
    text: str
    keep: tuple[str, ...]


def load(path: Path = SET_PATH) -> tuple[list[Positive], list[Negative]]:
    """The positive and negative messages of the set."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    positives = [
        Positive(
            str(p["id"]),
            str(p["text"]),
            tuple((str(i["kind"]), str(i["value"])) for i in p["identifiers"]),
        )
        for p in data["positives"]
    ]
    negatives = [
        Negative(str(n["id"]), str(n["text"]), tuple(str(k) for k in n["keep"]))
        for n in data["negatives"]
    ]
    return positives, negatives


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", normalise(text).text.lower())


def survives(kind: str, value: str, output: str) -> bool:
    """Whether the planted `value` of `kind` can still be read in `output` (module docstring)."""
    return bool(surviving([(kind, value)], output))


def surviving(
    identifiers: Iterable[tuple[str, str]],
    output: str,
    *,
    name_word: Callable[[str], bool] = lambda word: True,
) -> list[tuple[str, str]]:
    """The (kind, value) pairs of `identifiers` still readable in `output`, judged as
    :func:`survives` does, reading `output` once (a whole database file is megabytes).

    `name_word` says which words of a name count as evidence: a scan of a whole store passes a
    filter, because the coach's own text may use a surname that is also a word ("Ward").
    """
    haystack = normalise(output).text.lower()
    compact = re.sub(r"[^0-9a-z]", "", haystack)
    found: list[tuple[str, str]] = []
    for kind, value in identifiers:
        folded = normalise(value).text.lower()
        if re.search(r"[0-9]", folded):
            readable = _compact(value) in compact
        elif kind == "patient_name":
            words = re.findall(r"[^\W\d_][^\W\d_'-]*", folded)
            words = [w for w in words if w not in _NOT_NAME_WORDS]
            words = [w for w in words if len(w) >= 3] or words
            readable = any(
                re.search(rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])", haystack)
                for w in words
                if name_word(w)
            )
        else:
            pattern = rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])"
            readable = re.search(pattern, haystack) is not None
        if readable:
            found.append((kind, value))
    return found


def measure(path: Path = SET_PATH) -> dict[str, Any]:
    """Missed identifiers by kind, false positives by kind removed, and the guard's cost."""
    positives, negatives = load(path)
    planted: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    missed_ids: list[str] = []
    samples: list[float] = []
    cpu: list[float] = []  # CPU time of this thread: what the guard costs on a machine not shared
    presidio_engine.clear_cache()  # time the model's readings, not an earlier caller's cache
    for message in positives:
        started, cpu_started = time.perf_counter(), time.thread_time()
        output = redact_identifiers(message.text).text
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)
        for kind, value in message.identifiers:
            planted[kind] += 1
            if survives(kind, value, output):
                missed[kind] += 1
                missed_ids.append(f"{message.id}:{kind}")
    keep_total = keep_altered = messages_altered = 0
    removed_in_negatives: Counter[str] = Counter()
    false_positive_ids: list[str] = []
    for message in negatives:
        started, cpu_started = time.perf_counter(), time.thread_time()
        result = redact_identifiers(message.text)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)
        altered = [k for k in message.keep if k not in result.text]
        keep_total += len(message.keep)
        keep_altered += len(altered)
        if altered or result.changed:
            messages_altered += 1
            false_positive_ids.append(message.id)
            removed_in_negatives.update(f.kind for f in result.redacted)
    total = sum(planted.values())
    return {
        "planted": total,
        "missed": sum(missed.values()),
        "missed_rate": round(sum(missed.values()) / total, 4) if total else 0.0,
        "missed_by_kind": {k: f"{missed[k]}/{planted[k]}" for k in sorted(planted)},
        "missed_ids": missed_ids,
        "negatives": len(negatives),
        "false_positive_messages": messages_altered,
        "false_positive_rate": round(messages_altered / len(negatives), 4) if negatives else 0.0,
        "keep_tokens": keep_total,
        "keep_tokens_altered": keep_altered,
        "false_positives_by_kind_removed": dict(sorted(removed_in_negatives.items())),
        "false_positive_ids": false_positive_ids,
        "latency": summary_ms(samples),
        "cpu_latency": summary_ms(cpu),
    }
