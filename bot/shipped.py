"""Folders that ship with the code: the prompts and the starter knowledge base.

In the repository they are top-level folders (`prompts/`, `knowledge/`) that people edit. A wheel
(`pip install .`, not `-e`) has no repository around it, so pyproject.toml maps both folders into
the package as `bot/_shipped/<name>/` at build time. This module finds whichever is there: the
copy inside an installed package, else the folder beside the package in a checkout (including an
editable install, which runs from the checkout).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_DIR = PACKAGE_DIR / "_shipped"  # only in a built wheel; see [tool.setuptools] packages


def shipped_folder(name: str) -> Path:
    """`prompts` or `knowledge` as this copy of the code ships it."""
    inside = SHIPPED_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name
