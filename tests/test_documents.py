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
    assert "lacks kind, source" in reasons["latin1.md"]  # a stray byte is replaced, not fatal
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


# -- hostile files ---------------------------------------------------------------------------

BILLION_LAUGHS = """---
title: Laughs
kind: guide
source: nowhere
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
Body.
"""


def test_billion_laughs_front_matter_is_refused_by_name(tmp_path):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "laughs.md", BILLION_LAUGHS)
    result = load_knowledge([tmp_path], tmp_path)
    assert [f.path for f in result.files] == ["good.md"]
    [bad] = result.bad
    assert bad.path == "laughs.md" and "aliases" in bad.reason


def test_a_single_alias_is_refused_too(tmp_path):
    write(tmp_path, "alias.md", GOOD.replace("tags: [improvement, aims]", "x: &x 1\ntags: *x"))
    [bad] = load_knowledge([tmp_path], tmp_path).bad
    assert "aliases" in bad.reason


def test_deeply_nested_front_matter_is_reported_not_a_crash(tmp_path):
    nested = "---\ntitle: " + "[" * 50_000 + "]" * 50_000 + "\nkind: guide\nsource: x\n---\nBody\n"
    write(tmp_path, "deep.md", nested)
    [bad] = load_knowledge([tmp_path], tmp_path).bad
    assert bad.path == "deep.md"


def test_front_matter_that_is_not_a_mapping_is_reported(tmp_path):
    write(tmp_path, "list.md", "---\n- a\n- b\n---\nBody text\n")
    [bad] = load_knowledge([tmp_path], tmp_path).bad
    assert bad.path == "list.md" and "front matter" in bad.reason


def test_size_cap_is_configurable(tmp_path):
    write(tmp_path, "good.md", GOOD)
    result = load_knowledge([tmp_path], tmp_path, max_bytes=100)
    [bad] = result.bad
    assert "limit is 100" in bad.reason and "COACH_KNOWLEDGE_MAX_BYTES" in bad.reason


def test_symlink_outside_the_knowledge_folder_is_refused(tmp_path):
    knowledge = tmp_path / "knowledge"
    write(knowledge, "good.md", GOOD)
    secret = write(tmp_path / "private", "secret.txt", "root:x:0:0:root:/root:/bin/bash\n")
    (knowledge / "passwd.txt").symlink_to(secret)
    (knowledge / "elsewhere").symlink_to(secret.parent, target_is_directory=True)
    result = load_knowledge([knowledge], knowledge)
    assert [f.path for f in result.files] == ["good.md"]
    reasons = {b.path: b.reason for b in result.bad}
    assert "outside" in reasons["passwd.txt"]
    assert "not followed" in reasons["elsewhere"]
    assert all("root:x" not in f.body for f in result.files)


def test_symlink_inside_the_knowledge_folder_is_the_same_document(tmp_path):
    write(tmp_path, "good.md", GOOD)
    (tmp_path / "alias.md").symlink_to(tmp_path / "good.md")
    result = load_knowledge([tmp_path], tmp_path)
    assert [f.path for f in result.files] == ["good.md"] and not result.bad


def test_control_characters_and_escapes_are_removed_from_knowledge_text(tmp_path):
    write(tmp_path, "esc.md", GOOD.replace("An aim,", "An \x1b[31maim\x1b[0m,\x07 \u202e"))
    [doc] = load_knowledge([tmp_path], tmp_path).files
    assert "An aim," in doc.body and "\x1b" not in doc.body and "\u202e" not in doc.body


def test_a_stray_invalid_byte_is_replaced_but_a_binary_file_is_refused(tmp_path):
    write(tmp_path, "latin.md", GOOD.encode("utf-8").replace(b"An aim", b"An \xe9aim"))
    write(tmp_path, "utf16.md", GOOD.encode("utf-16"))
    result = load_knowledge([tmp_path], tmp_path)
    [doc] = result.files
    assert doc.path == "latin.md" and "An \ufffdaim" in doc.body
    assert [(b.path, b.reason) for b in result.bad] == [("utf16.md", "not UTF-8 text")]
