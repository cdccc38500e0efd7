"""Load knowledge files and their front matter, rejecting bad files one by one.

A knowledge base grows by people dropping files into a folder, so one broken file (no front
matter, empty, not UTF-8, enormous) must be reported by name and skipped, never abort a run.
Files are also treated as hostile: front matter is parsed without YAML aliases (a few hundred
bytes of nested aliases expand to gigabytes), files are size-capped while being read, and a
symbolic link that leads outside the folder being indexed is refused, so `/etc/passwd` can
never become a "knowledge passage".
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

from bot.textsafety import REPLACEMENT, clean_text, decode

KINDS = ("framework", "guide", "case")
SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 1_000_000
REQUIRED_FIELDS = ("title", "kind", "source")
MAX_INVALID_UTF8_SHARE = 200  # at most one undecodable byte in 200 characters


@dataclass(frozen=True)
class KnowledgeFile:
    """One knowledge document with the metadata retrieval shows and filters on."""

    path: str  # relative to the knowledge dir; absolute for files added from elsewhere
    title: str
    kind: str
    source: str
    tags: tuple[str, ...]
    body: str
    source_urls: tuple[str, ...] = ()  # front matter `source_url`: where a reader checks a claim
    reviewed: str = ""  # front matter `reviewed`: ISO date the content was last checked


@dataclass(frozen=True)
class BadFile:
    path: str
    reason: str


@dataclass
class LoadResult:
    files: list[KnowledgeFile] = field(default_factory=list)
    bad: list[BadFile] = field(default_factory=list)


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases: front matter never needs them, and "billion laughs"
    files use them to expand a few hundred bytes into gigabytes."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            # where the reader is (just past the alias): peek_event is untyped in PyYAML's stubs
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed", self.get_mark()
            )
        return super().compose_node(parent, index)


class _FrontMatter(YAMLHandler):
    # A front matter that is a list or a scalar is returned as it is, not as the mapping the base
    # class promises, so `load_file` can name the file as bad instead of indexing it.
    def load(self, fm: str, **kwargs: object) -> object:  # type: ignore[override]  # any YAML
        return yaml.load(fm, Loader=_NoAliasLoader)


def discover(root: Path) -> list[Path]:
    """Every candidate file below `root` (or `root` itself), skipping hidden files and READMEs.

    Symbolic links are listed, not followed into: `load_file` decides whether their target is
    acceptable, so a link is reported by name rather than silently dropped or obeyed.
    """
    if not root.is_dir():
        return [root]
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        links = [d for d in dirs if (here / d).is_symlink()]
        found += [here / d for d in links]  # reported by load_file, never walked
        for name in files:
            path = here / name
            if (
                not name.startswith(".")
                and path.suffix.lower() in SUFFIXES
                and name.lower() != "readme.md"
            ):
                found.append(path)
    return sorted(found)


def file_id(path: Path, knowledge_dir: Path) -> str:
    """Relative path inside the knowledge dir; absolute elsewhere, so ids never collide."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(knowledge_dir.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def load_file(
    path: Path,
    knowledge_dir: Path,
    *,
    root: Path | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> KnowledgeFile:
    """Parse one file; raise ValueError with a reader-friendly reason when it is unusable.

    `root` is the folder being indexed: a file whose real location is outside it (through a
    symbolic link) is refused. It defaults to the knowledge dir.
    """
    _require_inside(path, root or knowledge_dir)
    raw = _read_capped(path, max_bytes)
    if "\x00" in raw:
        raise ValueError("binary content")
    raw = clean_text(raw)
    ident = file_id(path, knowledge_dir)
    if path.suffix.lower() == ".txt" and not raw.startswith("---"):
        return _plain_text_file(ident, path, raw)
    try:
        post = frontmatter.loads(raw, handler=_FrontMatter())
    except yaml.YAMLError as error:
        raise ValueError(f"front matter is not valid YAML ({_yaml_problem(error)})") from None
    except RecursionError:
        raise ValueError("front matter is nested too deeply") from None
    except (TypeError, ValueError, AttributeError):
        raise ValueError("front matter must be `name: value` lines") from None
    if not isinstance(post.metadata, dict):
        raise ValueError("front matter must be `name: value` lines")
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
        source_urls=_tags(post.metadata.get("source_url")),
        reviewed=str(post.metadata.get("reviewed") or "").strip(),
    )


def _require_inside(path: Path, root: Path) -> None:
    """Refuse links to folders, and files whose real location is outside `root`."""
    if path.is_symlink() and path.is_dir():
        raise ValueError("a link to a folder: not followed")
    real_root = root.resolve()
    real = path.resolve()
    if root.is_dir() and not real.is_relative_to(real_root):
        raise ValueError(f"a link to {real} outside {root}: refused")
    if not real.is_file():
        raise ValueError("not a regular file")


def _read_capped(path: Path, max_bytes: int) -> str:
    """Read at most `max_bytes` (+1 to notice more), so a huge or growing file costs nothing."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if not data:
        raise ValueError("empty file")
    if len(data) > max_bytes:
        size = max(path.stat().st_size, len(data))
        raise ValueError(
            f"too large ({size:,} bytes; the limit is {max_bytes:,}, "
            "set by COACH_KNOWLEDGE_MAX_BYTES)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # A stray byte from another encoding (a pasted "é") costs one character, not the file; a
    # file that is mostly not UTF-8 (a renamed PDF, UTF-16) is refused rather than indexed.
    text = decode(data)
    if text.count(REPLACEMENT) > max(1, len(text) // MAX_INVALID_UTF8_SHARE):
        raise ValueError("not UTF-8 text")
    return text


def _yaml_problem(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    return str(problem) if problem else error.__class__.__name__


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


def load_knowledge(
    roots: Iterable[Path], knowledge_dir: Path, *, max_bytes: int = MAX_FILE_BYTES
) -> LoadResult:
    """Load every file under the given roots; later duplicates of an id are ignored.

    Nothing one file does can stop the run: every failure, even running out of memory or
    recursion depth on a pathological file, is reported against that file's name.
    """
    result = LoadResult()
    seen: set[str] = set()
    for root, path in _unique_paths(roots):
        ident = _ident(path, root, knowledge_dir)
        if ident in seen:
            continue
        seen.add(ident)
        try:
            result.files.append(load_file(path, knowledge_dir, root=root, max_bytes=max_bytes))
        except (ValueError, OSError) as error:
            result.bad.append(BadFile(ident, str(error) or error.__class__.__name__))
        except (MemoryError, RecursionError) as error:
            result.bad.append(BadFile(ident, f"could not be parsed ({error.__class__.__name__})"))
    return result


def _ident(path: Path, root: Path, knowledge_dir: Path) -> str:
    """A link leading outside `root` is named by where it sits, not where it points."""
    if path.is_symlink() and root.is_dir() and not path.resolve().is_relative_to(root.resolve()):
        return (Path(file_id(path.parent, knowledge_dir)) / path.name).as_posix()
    return file_id(path, knowledge_dir)


def _unique_paths(roots: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    for root in roots:
        for path in discover(root):
            yield root, path
