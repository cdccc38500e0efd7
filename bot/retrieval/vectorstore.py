"""The Chroma collection behind retrieval, embedded by default or a server via CHROMA_URL.

The collection records which embedding model built it: vectors from two models are not
comparable, so opening it with another model is refused with the command that fixes it. A store
that cannot be read at all (damaged files, an unreachable server) is `IndexUnavailable`, one
line long; `coach index` repairs an embedded one by rebuilding it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from bot.errors import UserFacingError
from bot.private_files import private_dir, private_file
from bot.settings import Settings, mask_url

COLLECTION = "knowledge"
RECORD_NAMESPACE = f"chroma/{COLLECTION}"


class EmbeddingMismatch(UserFacingError, RuntimeError):
    """The index was built with another embedding model than the one configured."""


class IndexMissing(UserFacingError, RuntimeError):
    """No knowledge index has been built yet."""


class IndexUnavailable(UserFacingError, RuntimeError):
    """The vector store cannot be opened or read; the message says where and why."""


def _unavailable(settings: Settings, error: BaseException) -> IndexUnavailable:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    detail = detail or error.__class__.__name__
    if settings.chroma_url:
        where = mask_url(settings.chroma_url)
        return IndexUnavailable(f"Cannot use the Chroma server at {where}: {detail}")
    return IndexUnavailable(
        f"The knowledge index in {settings.chroma_dir} cannot be read ({detail}): "
        "run `coach index` to rebuild it"
    )


@dataclass(frozen=True)
class CollectionInfo:
    chunks: int
    embedding_model: str | None


def chroma_client(settings: Settings) -> chromadb.ClientAPI:
    """An embedded persistent client, or an HTTP client when CHROMA_URL is set.

    Chroma raises many kinds of error for damaged files; all of them become IndexUnavailable.
    """
    quiet = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=quiet,
            )
        settings.ensure_data_dir()
        private_dir(settings.chroma_dir)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=quiet)
    except Exception as error:  # a boundary: chromadb's own error types vary by backend
        raise _unavailable(settings, error) from error


def forget_embedded_index(settings: Settings) -> None:
    """Delete the embedded store's files (derived data) so the next client starts empty."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # or this process would keep the old handles
    shutil.rmtree(settings.chroma_dir, ignore_errors=True)


def collection_info(client: chromadb.ClientAPI) -> CollectionInfo | None:
    """What the collection holds, or None when it does not exist yet.

    Asked before every search (so a reindex or an outage is seen at once), hence two calls, not
    three: asking for the collection itself says whether it exists, where listing every
    collection first cost a third round trip (an HTTP request each with a Chroma server).
    """
    try:
        try:
            collection = client.get_collection(COLLECTION)
        except NotFoundError:
            return None
        model = (collection.metadata or {}).get("embedding_model")
        return CollectionInfo(chunks=collection.count(), embedding_model=model)
    except Exception as error:  # damaged segment files surface here rather than on open
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        detail = detail or type(error).__name__
        server = _server_of(client)
        if server:
            # Rebuilding cannot cure an outage, and the shared index is not ours to rebuild.
            raise IndexUnavailable(
                f"The Chroma server at {server} is not answering ({detail}): the knowledge "
                "base is unavailable until it is back"
            ) from error
        raise IndexUnavailable(
            f"The knowledge index cannot be read ({detail}): run `coach index` to rebuild it"
        ) from error


def _server_of(client: chromadb.ClientAPI) -> str | None:
    """The server an HTTP client talks to (None for the embedded store)."""
    try:
        config = client.get_settings()
    except Exception:  # an unusual client: treat it as embedded
        return None
    if "fastapi" not in str(config.chroma_api_impl).lower() or not config.chroma_server_host:
        return None
    scheme = "https" if config.chroma_server_ssl_enabled else "http"
    return f"{scheme}://{config.chroma_server_host}:{config.chroma_server_http_port}"


def stored_ids(client: chromadb.ClientAPI) -> set[str]:
    """Ids of every passage actually in the collection (empty when it does not exist)."""
    if collection_info(client) is None:
        return set()
    return set(client.get_collection(COLLECTION).get(include=[])["ids"])


def delete_ids(client: chromadb.ClientAPI, ids: set[str]) -> None:
    if ids:
        client.get_collection(COLLECTION).delete(ids=sorted(ids))


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
    return f"sqlite:///{private_file(record_db_path(settings)).resolve()}"


def record_db_path(settings: Settings) -> Path:
    """The embedded record manager's SQLite file, beside the embedded store."""
    return settings.ensure_data_dir() / "index-records.db"
