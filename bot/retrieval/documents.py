"""Load knowledge files and their front matter, rejecting bad files one by one.

A knowledge base grows by people dropping files into a folder, so one broken file (no front
matter, empty, not UTF-8, enormous) must be reported by name and skipped, never abort a run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml

KINDS = ("framework", "guide", "case")
SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 1_000_000
REQUIRED_FIELDS = ("title", "kind", "source")


@dataclass(frozen=True)
class KnowledgeFile:
    """One knowledge document with the metadata retrieval shows and filters on."""

    path: str  # relative to the knowledge dir; absolute for files added from elsewhere
    title: str
    kind: str
    source: str
    tags: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class BadFile:
    path: str
    reason: str


@dataclass
class LoadResult:
    files: list[KnowledgeFile] = field(default_factory=list)
    bad: list[BadFile] = field(default_factory=list)


def discover(root: Path) -> list[Path]:
    """Every candidate file below `root` (or `root` itself), skipping hidden files and READMEs."""
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and p.name.lower() != "readme.md"
    )


def file_id(path: Path, knowledge_dir: Path) -> str:
    """Relative path inside the knowledge dir; absolute elsewhere, so ids never collide."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(knowledge_dir.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def load_file(path: Path, knowledge_dir: Path) -> KnowledgeFile:
    """Parse one file; raise ValueError with a reader-friendly reason when it is unusable."""
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > MAX_FILE_BYTES:
        raise ValueError(f"too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    if "\x00" in raw:
        raise ValueError("binary content")
    ident = file_id(path, knowledge_dir)
    if path.suffix.lower() == ".txt" and not raw.startswith("---"):
        return _plain_text_file(ident, path, raw)
    try:
        post = frontmatter.loads(raw)
    except yaml.YAMLError as error:
        raise ValueError(f"front matter is not valid YAML ({error.__class__.__name__})") from None
    if not post.metadata:
        raise ValueError("no front matter (needs title, kind and source between --- lines)")
    missing = [name for name in REQUIRED_FIELDS if not str(post.metadata.get(name) or "").strip()]
    if missing:
        raise ValueError(f"front matter lacks {', '.join(missing)}")
    kind = str(post.metadata["kind"]).strip().lower()
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
    if not post.content.strip():
        raise ValueError("front matter but no text")
    return KnowledgeFile(
        path=ident,
        title=str(post.metadata["title"]).strip(),
        kind=kind,
        source=str(post.metadata["source"]).strip(),
        tags=_tags(post.metadata.get("tags")),
        body=post.content.strip(),
    )


def _plain_text_file(ident: str, path: Path, raw: str) -> KnowledgeFile:
    """A .txt without front matter is a user's note: title from its first line, kind guide."""
    text = raw.strip()
    if not text:
        raise ValueError("only white space")
    first_line = text.splitlines()[0].strip().lstrip("#").strip()
    title = first_line[:120] or path.stem.replace("-", " ").replace("_", " ")
    return KnowledgeFile(ident, title, "guide", "user-supplied document", (), text)


def _tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(",") if t.strip())
    if isinstance(value, Iterable):
        return tuple(str(t).strip() for t in value if str(t).strip())
    return (str(value),)


def load_knowledge(roots: Iterable[Path], knowledge_dir: Path) -> LoadResult:
    """Load every file under the given roots; later duplicates of an id are ignored."""
    result = LoadResult()
    seen: set[str] = set()
    for path in _unique_paths(roots):
        ident = file_id(path, knowledge_dir)
        if ident in seen:
            continue
        seen.add(ident)
        try:
            result.files.append(load_file(path, knowledge_dir))
        except (ValueError, OSError) as error:
            result.bad.append(BadFile(ident, str(error)))
    return result


def _unique_paths(roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        yield from discover(root)
