"""The Chroma collection behind retrieval, embedded by default or a server via CHROMA_URL.

The collection records which embedding model built it: vectors from two models are not
comparable, so opening it with another model is refused with the command that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from bot.settings import Settings

COLLECTION = "knowledge"
RECORD_NAMESPACE = f"chroma/{COLLECTION}"


class EmbeddingMismatch(RuntimeError):
    """The index was built with another embedding model than the one configured."""


class IndexMissing(RuntimeError):
    """No knowledge index has been built yet."""


@dataclass(frozen=True)
class CollectionInfo:
    chunks: int
    embedding_model: str | None


def chroma_client(settings: Settings) -> chromadb.ClientAPI:
    """An embedded persistent client, or an HTTP client when CHROMA_URL is set."""
    quiet = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=quiet,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=quiet)


def collection_info(client: chromadb.ClientAPI) -> CollectionInfo | None:
    """What the collection holds, or None when it does not exist yet."""
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    if COLLECTION not in names:
        return None
    collection = client.get_collection(COLLECTION)
    model = (collection.metadata or {}).get("embedding_model")
    return CollectionInfo(chunks=collection.count(), embedding_model=model)


def check_embedding_model(info: CollectionInfo | None, expected: str) -> None:
    if info and info.embedding_model and info.embedding_model != expected:
        raise EmbeddingMismatch(
            f"The knowledge index was built with {info.embedding_model}, but EMBEDDINGS now "
            f"selects {expected}. Run `coach index --rebuild` to rebuild it."
        )


def open_vectorstore(
    settings: Settings,
    client: chromadb.ClientAPI,
    embeddings: Embeddings,
    embedding_model: str,
) -> Chroma:
    """The langchain wrapper over the collection, created with cosine space if it is new."""
    check_embedding_model(collection_info(client), embedding_model)
    return Chroma(
        collection_name=COLLECTION,
        embedding_function=embeddings,
        client=client,
        collection_metadata={"embedding_model": embedding_model},
        collection_configuration={"hnsw": {"space": "cosine"}},
    )


def drop_collection(client: chromadb.ClientAPI) -> None:
    if collection_info(client) is not None:
        client.delete_collection(COLLECTION)


def record_manager_url(settings: Settings) -> str:
    """Where the indexing record manager keeps content hashes.

    With a Chroma server several processes share the index, so the hashes live in the shared
    database; otherwise they sit beside the embedded store.
    """
    if settings.chroma_url and settings.database_url:
        return settings.database_url
    settings.coach_data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(settings.coach_data_dir / 'index-records.db').resolve()}"
