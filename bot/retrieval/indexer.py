"""Build and refresh the knowledge index incrementally.

langchain's indexing API with a SQL record manager stores a hash of every passage: an unchanged
knowledge base embeds nothing, an edited file re-embeds only its own passages and a deleted file's
passages are removed. Extra folders added with `coach index PATH` are remembered, so the next plain
`coach index` keeps them instead of cleaning them away.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from langchain_classic.indexes import SQLRecordManager
from langchain_core.documents import Document
from langchain_core.indexing import index

from bot.retrieval.chunking import chunk_file
from bot.retrieval.documents import BadFile, KnowledgeFile, load_knowledge
from bot.retrieval.embeddings import LazyEmbeddings, embedding_id
from bot.retrieval.vectorstore import (
    RECORD_NAMESPACE,
    chroma_client,
    drop_collection,
    open_vectorstore,
    record_manager_url,
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
    settings.coach_data_dir.mkdir(parents=True, exist_ok=True)
    payload = [str(p.resolve()) for p in [*current, resolved]]
    _sources_file(settings).write_text(json.dumps(payload, indent=2), encoding="utf-8")


def _manifest_file(settings: Settings) -> Path:
    return settings.coach_data_dir / "index-manifest.json"


def _fingerprint(knowledge: KnowledgeFile) -> str:
    payload = json.dumps(
        [knowledge.title, knowledge.kind, knowledge.source, knowledge.tags, knowledge.body]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _compare_files(settings: Settings, files: list[KnowledgeFile], report: IndexReport) -> dict:
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

    loaded = load_knowledge(registered_sources(settings), settings.coach_knowledge_dir)
    report.bad = loaded.bad
    report.files = len(loaded.files)
    documents = [doc for knowledge in loaded.files for doc in chunk_file(knowledge)]
    report.passages = len(documents)

    client = chroma_client(settings)
    record_manager = SQLRecordManager(RECORD_NAMESPACE, db_url=record_manager_url(settings))
    record_manager.create_schema()
    if rebuild:
        drop_collection(client)
        _forget_all(record_manager)
        _manifest_file(settings).unlink(missing_ok=True)
    manifest = _compare_files(settings, loaded.files, report)

    store = open_vectorstore(settings, client, embeddings or LazyEmbeddings(settings), model_id)
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
    _manifest_file(settings).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    report.seconds = time.perf_counter() - started
    return report


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
