"""An on-disk cache of model replies, so re-running an unchanged suite costs nothing.

Keyed by everything that can change a reply: the model, the call kind (plain text or a schema),
the parameters, every message, and the prompt versions in force. Stored in SQLite because several
cases write at once and a half-written JSON file would poison later runs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.llm.client import ModelCall

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL
)
"""


def cache_key(call: ModelCall, prompt_versions: dict[str, str] | None = None) -> str:
    """A stable hash of one call; equal calls under equal prompt versions share a key."""
    material = {
        "model": call.model,
        "kind": call.kind,
        "params": call.params,
        "messages": [list(m) for m in call.messages],
        "prompts": dict(sorted((prompt_versions or {}).items())),
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedReply:
    text: str
    prompt_tokens: int
    completion_tokens: int


class CallCache:
    """Thread-safe get/put over one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(SCHEMA)
        self._db.commit()

    def get(self, key: str) -> CachedReply | None:
        with self._lock:
            row = self._db.execute(
                "SELECT text, prompt_tokens, completion_tokens FROM calls WHERE key = ?", (key,)
            ).fetchone()
        return CachedReply(*row) if row else None

    def put(self, key: str, call: ModelCall, reply: CachedReply) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO calls VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    call.model,
                    call.kind,
                    reply.text,
                    reply.prompt_tokens,
                    reply.completion_tokens,
                ),
            )
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
