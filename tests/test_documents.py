"""Loading knowledge files: good ones parsed, bad ones reported by name and skipped."""

from __future__ import annotations

from pathlib import Path

from bot.retrieval.documents import MAX_FILE_BYTES, load_knowledge

GOOD = """---
title: Driver diagrams
kind: framework
tags: [improvement, aims]
source: "NHS England, Driver diagrams (2022)"
---
# Driver diagrams
An aim, its drivers and the change ideas to test.
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_good_file_is_parsed(tmp_path):
    write(tmp_path, "frameworks/driver.md", GOOD)
    result = load_knowledge([tmp_path], tmp_path)
    assert not result.bad
    (doc,) = result.files
    assert doc.path == "frameworks/driver.md"
    assert doc.title == "Driver diagrams"
    assert doc.kind == "framework"
    assert doc.tags == ("improvement", "aims")
    assert doc.source.startswith("NHS England")
    assert doc.body.startswith("# Driver diagrams")


def test_each_bad_file_is_reported_and_the_rest_load(tmp_path):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "no-front-matter.md", "# Just a heading\nSome text.\n")
    write(tmp_path, "empty.md", "")
    write(tmp_path, "latin1.md", "---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    write(tmp_path, "huge.md", GOOD + "x" * (MAX_FILE_BYTES + 1))
    write(tmp_path, "bad-kind.md", GOOD.replace("kind: framework", "kind: poem"))
    write(
        tmp_path,
        "no-source.md",
        GOOD.replace('source: "NHS England, Driver diagrams (2022)"\n', ""),
    )
    write(tmp_path, "broken-yaml.md", "---\ntitle: [unclosed\n---\ntext\n")
    result = load_knowledge([tmp_path], tmp_path)
    assert [f.path for f in result.files] == ["good.md"]
    reasons = {bad.path: bad.reason for bad in result.bad}
    assert "no front matter" in reasons["no-front-matter.md"]
    assert reasons["empty.md"] == "empty file"
    assert reasons["latin1.md"] == "not UTF-8 text"
    assert "too large" in reasons["huge.md"]
    assert "kind must be one of" in reasons["bad-kind.md"]
    assert "source" in reasons["no-source.md"]
    assert "YAML" in reasons["broken-yaml.md"]


def test_plain_text_note_needs_no_front_matter(tmp_path):
    write(tmp_path, "notes/our-trust.txt", "Our trust's partnership policy\n\nAll agreements...\n")
    (doc,) = load_knowledge([tmp_path], tmp_path).files
    assert doc.title == "Our trust's partnership policy"
    assert doc.kind == "guide"


def test_hidden_files_and_readme_are_ignored(tmp_path):
    write(tmp_path, ".drafts/secret.md", GOOD)
    write(tmp_path, "README.md", "# About this folder")
    write(tmp_path, "good.md", GOOD)
    result = load_knowledge([tmp_path], tmp_path)
    assert [f.path for f in result.files] == ["good.md"]
    assert not result.bad


def test_files_outside_the_knowledge_dir_get_absolute_ids(tmp_path):
    knowledge = tmp_path / "knowledge"
    extra = tmp_path / "elsewhere"
    write(knowledge, "a.md", GOOD)
    write(extra, "b.md", GOOD.replace("Driver diagrams", "Local policy"))
    result = load_knowledge([knowledge, extra], knowledge)
    assert {f.path for f in result.files} == {"a.md", (extra / "b.md").resolve().as_posix()}
