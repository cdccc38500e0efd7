"""The shipped model run with transformers alone gives sentence-transformers' own vectors.

Indexes and the kept sentence vectors were built through sentence-transformers; the lighter
loader must give the same vectors (mean of the real tokens, unit length, 256-token limit) or a
search would mix two geometries. Checked against sentence-transformers itself on short, long,
empty and non-ASCII texts, and in batches that pad.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.retrieval.embeddings import local_model_path
from bot.retrieval.local_minilm import LocalMiniLM

pytestmark = pytest.mark.slow

TEXTS = [
    "what is a driver diagram",
    "A point-of-view statement is a one-sentence framing of a problem from the user's side.",
    "word " * 600,  # past the 256-token limit: both truncate
    "",
    "Café £67m — 1.6 million records, 20,049 inhalers",
]


def test_vectors_match_sentence_transformers():
    from sentence_transformers import SentenceTransformer

    ours = np.asarray(LocalMiniLM(local_model_path(), batch_size=2).embed_documents(TEXTS))
    reference = SentenceTransformer(str(local_model_path()), device="cpu").encode(
        TEXTS, normalize_embeddings=True
    )
    assert ours.shape == (len(TEXTS), 384)
    assert np.abs(ours - reference).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_a_query_is_the_same_vector_as_the_document():
    model = LocalMiniLM(local_model_path())
    assert np.allclose(model.embed_query(TEXTS[0]), model.embed_documents(TEXTS[:2])[0], atol=1e-6)
