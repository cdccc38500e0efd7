"""The import graph of `bot/` follows the picture in the README: nothing imports up a layer, and
no adapter imports another.

Layers, lowest first (a module may import its own layer and any layer below it):

0. foundation: settings, errors, text safety, tokens, private files, prompts
1. the privacy guard
2. stored drafts, the knowledge base and the model client
3. the coaching engine
4. wiring: building an engine from settings (runtime), checking it (doctor), and describing any
   failure in one line (failures)
5. adapters: Slack, the console, evals — each may use the engine, none may use another
6. the command line, which chooses an adapter

The graph is built with `ast` from the source, so an import inside a function counts as much as
one at the top of a module: a lazy import still couples the two modules.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bot"

LAYERS: dict[str, int] = {
    "bot": 0,
    "bot.settings": 0,
    "bot.shipped": 0,
    "bot.errors": 0,
    "bot.textsafety": 0,
    "bot.tokens": 0,
    "bot.private_files": 0,
    "bot.prompts": 0,
    "bot.privacy": 1,
    "bot.drafts": 2,
    "bot.retrieval": 2,
    "bot.llm": 2,
    "bot.coaching": 3,
    "bot.runtime": 4,
    "bot.failures": 4,
    "bot.doctor": 4,
    "bot.slack": 5,
    "bot.console": 5,
    "bot.evals": 5,
    "bot.cli": 6,
    "bot.__main__": 6,
}
ADAPTERS = {"bot.slack", "bot.console", "bot.evals"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported(path: Path) -> tuple[tuple[int, str], ...]:
    """Every module the file imports, with its line, wherever the import statement is.

    Cached: each test here reads the whole package, and parsing it costs about half a second."""
    return _imports_in(path)


@functools.cache
def _imports_in(path: Path) -> tuple[tuple[int, str], ...]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: use an absolute import")
    return tuple(found)


def area(module: str) -> str:
    """The part of the package a module belongs to: `bot.slack.cards` → `bot.slack`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def edges() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = module_name(path)
        for line, target in imported(path):
            if target == "bot" or target.startswith("bot."):
                found.append((f"{path.relative_to(ROOT)}:{line}", LAYERS[area(source)], target))
    return found


def test_every_part_of_the_package_has_a_layer() -> None:
    areas = {area(module_name(path)) for path in PACKAGE.rglob("*.py")}
    assert areas <= LAYERS.keys(), f"add these to LAYERS: {sorted(areas - LAYERS.keys())}"


def test_no_import_runs_up_a_layer() -> None:
    upward = [
        f"{where} imports {target} (layer {LAYERS[area(target)]} from layer {layer})"
        for where, layer, target in edges()
        if LAYERS[area(target)] > layer
    ]
    assert not upward, "\n".join(upward)


def test_no_adapter_imports_another() -> None:
    across = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = area(module_name(path))
        if source not in ADAPTERS:
            continue
        for line, target in imported(path):
            if area(target) in ADAPTERS - {source}:
                across.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not across, "\n".join(across)


def adapter_files(adapter: str) -> list[Path]:
    """The files of an adapter package, or the one file of the command line."""
    if adapter == "bot.cli":
        return [PACKAGE / "cli.py"]
    return sorted((PACKAGE / adapter.split(".")[1]).rglob("*.py"))


@pytest.mark.parametrize("adapter", sorted(ADAPTERS | {"bot.cli"}))
def test_adapters_reach_stored_drafts_only_through_the_engine(adapter: str) -> None:
    """The engine's front door (`engine.drafts`, `engine.handle`, …) checks access in one place;
    an adapter that opened the store itself could skip it. So no adapter (the command line
    included) imports any store module: only the records and content it is handed, the outline it
    renders a draft from and the export formats it offers; its exceptions come from bot.errors."""
    allowed = {
        "bot.drafts.records",
        "bot.drafts.content",
        "bot.drafts.outline",
        "bot.drafts.formats",
    }
    reaching = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in adapter_files(adapter)
        for line, target in imported(path)
        if target.startswith("bot.drafts") and target not in allowed
    ]
    store_uses = [
        f"{path.relative_to(ROOT)}:{number}: {text.strip()}"
        for path in adapter_files(adapter)
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "engine.store" in text
    ]
    assert not reaching + store_uses, "\n".join(reaching + store_uses)


def reaching_into(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    """Every import in `folder` of a module under one of the `forbidden` top-level packages."""
    return [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, target in imported(path)
        if target.split(".")[0] in forbidden
    ]


def test_benchmarks_do_not_import_the_tests() -> None:
    """Tests may use what `make bench` drives the coach with (benchmarks/support: fakes, scripted
    users, the Slack harness), never the other way round: a benchmark that imported tests/ would
    break, or silently change what it measures, whenever a test helper is reshaped for a test."""
    reaching = reaching_into("benchmarks", ("tests",))
    assert not reaching, "\n".join(reaching)


def test_the_package_imports_neither_tests_nor_benchmarks() -> None:
    """A wheel ships bot/ alone (pyproject's package list), so an import of either would fail
    only once installed."""
    reaching = reaching_into("bot", ("tests", "benchmarks"))
    assert not reaching, "\n".join(reaching)
