"""The words BM25 matches on, shared by the search and the answer composer.

Kept apart from `search.py` (which needs chromadb and the embeddings) so the composer, which
the coaching engine imports, stays light.
"""

from __future__ import annotations

import re
import threading
from typing import Protocol, cast

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours us get got make want wants need needs""".split()
)
# A Snowball stemmer keeps the word it is working on in the object itself, so two threads
# sharing one corrupt each other's words ("string index out of range" under the eval runner's
# concurrent cases and Slack's worker threads): each thread gets its own.
_local = threading.local()


class _Stemmer(Protocol):
    """What is used of a Snowball stemmer (the package ships no type information)."""

    def stemWords(self, words: list[str]) -> list[str]: ...  # the package's own name


def _stemmer() -> _Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return cast("_Stemmer", stemmer)


def search_terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed words: what BM25 matches on."""
    words = [w.replace("’", "'").split("'")[0] for w in _WORD.findall(text.lower())]
    kept = [w for w in words if w not in _STOPWORDS and len(w) > 1]
    return _stemmer().stemWords(kept)
