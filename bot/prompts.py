"""Versioned prompt files: `prompts/<id>/v<N>.yaml`, the newest used unless a version is pinned.

Keeping every version on disk lets evals compare v1 with v2 in one run, and each draft version
records the `id@version` of the prompts that wrote it, so a change in quality can be traced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.errors import PromptError
from bot.shipped import shipped_folder

# `prompts/` in a checkout, or the copy a wheel carries inside the package (see bot/shipped.py).
PROMPTS_DIR = shipped_folder("prompts")
_VERSION_FILE = re.compile(r"^v(\d+)\.yaml$")


@dataclass(frozen=True)
class Prompt:
    id: str
    version: int
    system: str
    user: str

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def render(self, **values: object) -> tuple[str, str]:
        """System and user text with `{name}` placeholders filled in."""
        try:
            return self.system.format(**values), self.user.format(**values)
        except KeyError as missing:
            raise PromptError(f"prompt {self.ref} needs a value for {missing}") from None


def available_versions(prompt_id: str, root: Path | None = None) -> list[int]:
    folder = (root or PROMPTS_DIR) / prompt_id
    if not folder.is_dir():
        return []
    return sorted(int(m[1]) for p in folder.iterdir() if (m := _VERSION_FILE.match(p.name)))


def load_prompt(prompt_id: str, version: int | None = None, root: Path | None = None) -> Prompt:
    """The pinned `version` of a prompt, or its newest (the folder is read at call time)."""
    return _load_prompt(prompt_id, version, root or PROMPTS_DIR)


def parse_pins(spec: str, root: Path | None = None) -> dict[str, int]:
    """'feedback@2,draft@1' as {'feedback': 2, 'draft': 1}, each checked to exist on disk.

    Pins let `coach eval run --prompts feedback@2` compare prompt versions without editing files.
    """
    pins: dict[str, int] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, _, number = part.partition("@")
        if not number.isdigit():
            raise PromptError(f"pin {part!r} should look like feedback@2")
        versions = available_versions(name, root)
        if not versions:
            raise PromptError(f"there is no prompt called {name!r}")
        if int(number) not in versions:
            raise PromptError(f"{name} has no version {number} (have {versions})")
        pins[name] = int(number)
    return pins


@lru_cache(maxsize=64)
def _load_prompt(prompt_id: str, version: int | None, root: Path) -> Prompt:
    versions = available_versions(prompt_id, root)
    if not versions:
        raise PromptError(f"no prompt files in {root / prompt_id}")
    chosen = version if version is not None else versions[-1]
    path = root / prompt_id / f"v{chosen}.yaml"
    if not path.exists():
        raise PromptError(f"{prompt_id} has no version {chosen} (have {versions})")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for key in ("system", "user"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise PromptError(f"{path} lacks a '{key}' text")
    return Prompt(prompt_id, chosen, data["system"].strip(), data["user"].strip())
