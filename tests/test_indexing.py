"""Incremental indexing with the real model and embedded Chroma, on a small knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.retrieval.indexer import build_index, registered_sources
from bot.retrieval.search import KnowledgeSearch
from bot.retrieval.vectorstore import EmbeddingMismatch, IndexMissing

# Indexing with the real embedding model into Chroma, file by file.
pytestmark = pytest.mark.slow

DOC = """---
title: {title}
kind: {kind}
tags: [test]
source: "Partnership Coach test fixture"
---
# {title}
{summary}

## First section
{first}

## Second section
{second}
"""


def write_doc(folder: Path, name: str, title: str, first: str, kind: str = "guide") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        DOC.format(
            title=title,
            kind=kind,
            summary=f"A short note about {title.lower()}.",
            first=first,
            second=f"More detail on {title.lower()} for the second section.",
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def small_kb(tmp_path):
    kb = tmp_path / "kb"
    write_doc(kb, "guides/recycling.md", "Inhaler recycling", "Patients post inhalers back.")
    write_doc(kb, "guides/strokes.md", "Stroke prevention", "Review anticoagulation in AF.")
    write_doc(kb, "cases/discharge.md", "Discharge delays", "Care packages wait days.", "case")
    return kb


def test_first_run_adds_then_unchanged_run_embeds_nothing(make_settings, small_kb, embeddings):
    settings = make_settings(coach_knowledge_dir=small_kb)
    first = build_index(settings, embeddings=embeddings)
    assert first.files == 3 and first.files_new == 3
    assert first.added == first.passages > 0
    assert first.skipped == 0

    second = build_index(settings, embeddings=embeddings)
    assert second.added == 0 and second.deleted == 0
    assert second.skipped == first.passages
    assert second.files_unchanged == 3


def test_editing_one_file_reembeds_only_its_passages(make_settings, small_kb, embeddings):
    settings = make_settings(coach_knowledge_dir=small_kb)
    build_index(settings, embeddings=embeddings)
    write_doc(small_kb, "guides/strokes.md", "Stroke prevention", "Pulse checks find AF early.")
    report = build_index(settings, embeddings=embeddings)
    assert report.files_changed == 1 and report.files_unchanged == 2
    assert report.added == 1  # only the edited passage
    assert report.deleted == 1  # and its old version is gone
    hits = KnowledgeSearch(settings, embeddings).search("pulse checks", k=1)
    assert "Pulse checks" in hits[0].text


def test_deleting_a_file_removes_its_passages(make_settings, small_kb, embeddings):
    settings = make_settings(coach_knowledge_dir=small_kb)
    first = build_index(settings, embeddings=embeddings)
    (small_kb / "cases" / "discharge.md").unlink()
    report = build_index(settings, embeddings=embeddings)
    assert report.files_removed == 1
    assert report.deleted > 0
    search = KnowledgeSearch(settings, embeddings)
    assert search.passage_count == first.passages - report.deleted
    assert all(p.path != "cases/discharge.md" for p in search.search("care package", k=10))


def test_bad_file_is_skipped_not_fatal(make_settings, small_kb, embeddings):
    (small_kb / "broken.md").write_bytes(b"\xff\xfe not text")
    settings = make_settings(coach_knowledge_dir=small_kb)
    report = build_index(settings, embeddings=embeddings)
    assert report.files == 3
    assert [b.path for b in report.bad] == ["broken.md"]


def test_extra_path_is_indexed_and_remembered(make_settings, small_kb, tmp_path, embeddings):
    extra = tmp_path / "our-policies"
    write_doc(extra, "policy.md", "Local joint working policy", "Board sign-off is needed.")
    settings = make_settings(coach_knowledge_dir=small_kb)
    build_index(settings, add_path=extra, embeddings=embeddings)
    assert extra.resolve() in [p.resolve() for p in registered_sources(settings)]
    again = build_index(settings, embeddings=embeddings)  # a plain run keeps the extra files
    assert again.files == 4 and again.deleted == 0
    hit = KnowledgeSearch(settings, embeddings).search("board sign-off", k=1)[0]
    assert hit.title == "Local joint working policy"
    assert hit.path.endswith("our-policies/policy.md")


def test_other_embedding_model_is_refused_until_rebuild(make_settings, small_kb, embeddings):
    settings = make_settings(coach_knowledge_dir=small_kb)
    build_index(settings, embeddings=embeddings)
    other = make_settings(coach_knowledge_dir=small_kb, embeddings="openai")
    with pytest.raises(EmbeddingMismatch, match="--rebuild"):
        KnowledgeSearch(other).search("anything")
    with pytest.raises(EmbeddingMismatch, match="--rebuild"):
        build_index(other)


def test_rebuild_embeds_everything_again(make_settings, small_kb, embeddings):
    settings = make_settings(coach_knowledge_dir=small_kb)
    first = build_index(settings, embeddings=embeddings)
    rebuilt = build_index(settings, rebuild=True, embeddings=embeddings)
    assert rebuilt.added == first.passages and rebuilt.skipped == 0


def test_search_before_indexing_says_what_to_do(make_settings, small_kb):
    settings = make_settings(coach_knowledge_dir=small_kb)
    with pytest.raises(IndexMissing, match="coach index"):
        KnowledgeSearch(settings).search("anything")


def test_unchanged_reindex_does_not_load_the_model(make_settings, small_kb, embeddings):
    from bot.retrieval.embeddings import LazyEmbeddings

    settings = make_settings(coach_knowledge_dir=small_kb)
    build_index(settings, embeddings=embeddings)
    fresh = LazyEmbeddings(settings)
    build_index(settings, embeddings=fresh)
    assert not fresh.loaded


# -- repair ----------------------------------------------------------------------------------


def test_deleted_vector_store_is_noticed_and_rebuilt(make_settings, small_kb, embeddings):
    import shutil

    from bot.retrieval.vectorstore import forget_embedded_index

    settings = make_settings(coach_knowledge_dir=small_kb)
    first = build_index(settings, embeddings=embeddings)
    forget_embedded_index(settings)  # as if someone deleted the chroma folder
    shutil.rmtree(settings.chroma_dir, ignore_errors=True)
    report = build_index(settings, embeddings=embeddings)
    assert report.repaired == first.passages
    assert report.added == first.passages
    assert any("lost" in note for note in report.repairs)
    hits = KnowledgeSearch(settings, embeddings).search("inhalers posted back", k=1)
    assert hits[0].title == "Inhaler recycling"
    again = build_index(settings, embeddings=embeddings)
    assert again.repaired == 0 and again.added == 0 and not again.repairs


def test_partly_lost_passages_are_embedded_again(make_settings, small_kb, embeddings):
    from bot.retrieval.vectorstore import COLLECTION, chroma_client

    settings = make_settings(coach_knowledge_dir=small_kb)
    first = build_index(settings, embeddings=embeddings)
    collection = chroma_client(settings).get_collection(COLLECTION)
    lost = collection.get(include=[])["ids"][:2]
    collection.delete(ids=lost)
    report = build_index(settings, embeddings=embeddings)
    assert report.repaired == 2 and report.added == 2
    assert KnowledgeSearch(settings, embeddings).passage_count == first.passages


def test_damaged_vector_store_is_discarded_and_rebuilt(make_settings, small_kb, embeddings):
    from bot.retrieval.vectorstore import IndexUnavailable, forget_embedded_index

    settings = make_settings(coach_knowledge_dir=small_kb)
    first = build_index(settings, embeddings=embeddings)
    forget_embedded_index(settings)
    settings.chroma_dir.mkdir(parents=True)
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexUnavailable, match="coach index"):
        KnowledgeSearch(settings, embeddings).search("anything")
    report = build_index(settings, embeddings=embeddings)
    assert report.added == first.passages
    assert any("could not be read" in note for note in report.repairs)
    assert KnowledgeSearch(settings, embeddings).passage_count == first.passages


def test_damaged_record_database_is_replaced(make_settings, small_kb, embeddings):
    from bot.retrieval.vectorstore import record_db_path

    settings = make_settings(coach_knowledge_dir=small_kb)
    first = build_index(settings, embeddings=embeddings)
    record_db_path(settings).write_bytes(b"garbage" * 1000)
    report = build_index(settings, embeddings=embeddings)
    assert any("index records" in note for note in report.repairs)
    assert report.added == first.passages
    assert KnowledgeSearch(settings, embeddings).passage_count == first.passages


def test_symlinked_secret_is_never_indexed(make_settings, small_kb, tmp_path, embeddings):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (small_kb / "passwd.txt").symlink_to(secret)
    settings = make_settings(coach_knowledge_dir=small_kb)
    report = build_index(settings, embeddings=embeddings)
    assert [b.path for b in report.bad] == ["passwd.txt"]
    hits = KnowledgeSearch(settings, embeddings).search("root bin bash", k=10)
    assert all("root:x" not in hit.text for hit in hits)


def test_index_files_are_owner_only(make_settings, small_kb, embeddings):
    settings = make_settings(coach_knowledge_dir=small_kb)
    build_index(settings, embeddings=embeddings)
    assert settings.coach_data_dir.stat().st_mode & 0o777 == 0o700
    assert settings.chroma_dir.stat().st_mode & 0o777 == 0o700
    for name in ("index-records.db", "index-manifest.json"):
        assert (settings.coach_data_dir / name).stat().st_mode & 0o777 == 0o600, name
