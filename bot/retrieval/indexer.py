"""Build and refresh the knowledge index incrementally.

langchain's indexing API with a SQL record manager stores a hash of every passage: an unchanged
knowledge base embeds nothing, an edited file re-embeds only its own passages and a deleted file's
passages are removed. Extra folders added with `coach index PATH` are remembered, so the next plain
`coach index` keeps them instead of cleaning them away.

The record manager only remembers what it *wrote*; if the vector store loses passages (its folder
deleted, files damaged) the hashes would claim everything is in place forever. So every run
reconciles the two first: hashes of passages the store no longer holds are forgotten (and those
passages embedded again), passages no hash accounts for are removed, and an embedded store or
record database that cannot be read at all is discarded and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from chromadb import ClientAPI
from langchain_classic.indexes import SQLRecordManager
from langchain_core.documents import Document
from langchain_core.indexing import index
from sqlalchemy.exc import SQLAlchemyError

from bot.private_files import write_private
from bot.retrieval.chunking import chunk_file
from bot.retrieval.documents import BadFile, KnowledgeFile, load_knowledge
from bot.retrieval.embeddings import LazyEmbeddings, embedding_id
from bot.retrieval.vectorstore import (
    RECORD_NAMESPACE,
    IndexUnavailable,
    chroma_client,
    collection_info,
    delete_ids,
    drop_collection,
    forget_embedded_index,
    open_vectorstore,
    record_db_path,
    record_manager_url,
    stored_ids,
)
from bot.settings import Settings

Progress = Callable[[int, int], None]  # (passages done, passages in all)


@dataclass
class IndexReport:
    """What one indexing run did, in the units users care about: files and passages."""

    files: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    passages: int = 0
    added: int = 0
    updated: int = 0
    skipped: int = 0
    deleted: int = 0
    bad: list[BadFile] = field(default_factory=list)
    seconds: float = 0.0
    embedding_model: str = ""
    repaired: int = 0  # passages the vector store had lost, embedded again
    repairs: list[str] = field(default_factory=list)  # what was found broken and rebuilt


def _sources_file(settings: Settings) -> Path:
    return settings.coach_data_dir / "sources.json"


def registered_sources(settings: Settings) -> list[Path]:
    """The knowledge dir plus every extra path a user has indexed that still exists."""
    extra: list[Path] = []
    path = _sources_file(settings)
    if path.exists():
        try:
            extra = [Path(p) for p in json.loads(path.read_text(encoding="utf-8"))]
        except (ValueError, TypeError):
            extra = []
    return [settings.coach_knowledge_dir, *[p for p in extra if p.exists()]]


def register_source(settings: Settings, source: Path) -> None:
    resolved = source.resolve()
    if resolved == settings.coach_knowledge_dir.resolve():
        return
    current = [p for p in registered_sources(settings)[1:] if p.resolve() != resolved]
    settings.ensure_data_dir()
    payload = [str(p.resolve()) for p in [*current, resolved]]
    write_private(_sources_file(settings), json.dumps(payload, indent=2).encode("utf-8"))


def _manifest_file(settings: Settings) -> Path:
    return settings.coach_data_dir / "index-manifest.json"


def _fingerprint(knowledge: KnowledgeFile) -> str:
    payload = json.dumps(
        [knowledge.title, knowledge.kind, knowledge.source, knowledge.tags, knowledge.body]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _compare_files(
    settings: Settings, files: list[KnowledgeFile], report: IndexReport
) -> dict[str, str]:
    """File-level summary from a manifest of content hashes kept beside the index."""
    previous: dict[str, str] = {}
    if _manifest_file(settings).exists():
        try:
            previous = json.loads(_manifest_file(settings).read_text(encoding="utf-8"))
        except ValueError:
            previous = {}
    current = {f.path: _fingerprint(f) for f in files}
    for path, digest in current.items():
        if path not in previous:
            report.files_new += 1
        elif previous[path] != digest:
            report.files_changed += 1
        else:
            report.files_unchanged += 1
    report.files_removed = len(set(previous) - set(current))
    return current


def build_index(
    settings: Settings,
    *,
    add_path: Path | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    embeddings: LazyEmbeddings | None = None,
) -> IndexReport:
    """Bring the index in line with the knowledge sources; see the module docstring."""
    started = time.perf_counter()
    if add_path is not None:
        register_source(settings, add_path)
    model_id = embedding_id(settings)
    report = IndexReport(embedding_model=model_id)

    loaded = load_knowledge(
        registered_sources(settings),
        settings.coach_knowledge_dir,
        max_bytes=settings.coach_knowledge_max_bytes,
    )
    report.bad = loaded.bad
    report.files = len(loaded.files)
    documents = [doc for knowledge in loaded.files for doc in chunk_file(knowledge)]
    report.passages = len(documents)

    client = _open_client(settings, report)
    record_manager = _open_record_manager(settings, report)
    if rebuild or report.repairs:
        drop_collection(client)
        _forget_all(record_manager)
        _manifest_file(settings).unlink(missing_ok=True)
    manifest = _compare_files(settings, loaded.files, report)

    store = open_vectorstore(settings, client, embeddings or LazyEmbeddings(settings), model_id)
    report.repaired = _reconcile(client, record_manager)
    if report.repaired:
        report.repairs.append(
            f"the vector store had lost {report.repaired} passages: embedding them again"
        )
    result = index(
        _with_progress(documents, progress),
        record_manager,
        store,
        cleanup="full",
        source_id_key="path",
        batch_size=64,
        key_encoder="sha256",
    )
    report.added = result["num_added"]
    report.updated = result["num_updated"]
    report.skipped = result["num_skipped"]
    report.deleted = result["num_deleted"]
    write_private(_manifest_file(settings), json.dumps(manifest, indent=1).encode("utf-8"))
    report.seconds = time.perf_counter() - started
    return report


def _open_client(settings: Settings, report: IndexReport) -> ClientAPI:
    """The Chroma client; an unreadable embedded store is discarded (it is derived data)."""
    try:
        client = chroma_client(settings)
        collection_info(client)
        return client
    except IndexUnavailable as error:
        if settings.chroma_url:
            raise  # a shared server is not ours to wipe
        cause = error.__cause__ or error
        report.repairs.append(f"the vector store could not be read ({cause}): rebuilt it")
        forget_embedded_index(settings)
        return chroma_client(settings)


def _open_record_manager(settings: Settings, report: IndexReport) -> SQLRecordManager:
    """The record manager; an unreadable embedded record database is replaced."""
    try:
        manager = SQLRecordManager(RECORD_NAMESPACE, db_url=record_manager_url(settings))
        manager.create_schema()
        manager.list_keys(limit=1)
        return manager
    except SQLAlchemyError as error:
        if settings.chroma_url and settings.database_url:
            raise IndexUnavailable(
                f"Cannot read the index records in DATABASE_URL: {error.__class__.__name__}"
            ) from error
        detail = str(getattr(error, "orig", error)).splitlines()[0]
        report.repairs.append(f"the index records could not be read ({detail}): rebuilt them")
        record_db_path(settings).unlink(missing_ok=True)
        manager = SQLRecordManager(RECORD_NAMESPACE, db_url=record_manager_url(settings))
        manager.create_schema()
        return manager


def _reconcile(client: ClientAPI, record_manager: SQLRecordManager) -> int:
    """Make the record manager describe what the vector store really holds.

    Returns how many recorded passages were missing from the store: forgetting their hashes
    makes the following `index()` call embed them again.
    """
    recorded = set(record_manager.list_keys())
    stored = stored_ids(client)
    missing = recorded - stored
    if missing:
        record_manager.delete_keys(sorted(missing))
    delete_ids(client, stored - recorded)  # passages no record accounts for would never go
    return len(missing)


def _forget_all(record_manager: SQLRecordManager) -> None:
    keys = record_manager.list_keys()
    if keys:
        record_manager.delete_keys(keys)


def _with_progress(documents: list[Document], progress: Progress | None) -> Iterator[Document]:
    total = len(documents)
    for done, document in enumerate(documents, start=1):
        yield document
        if progress is not None:
            progress(done, total)
