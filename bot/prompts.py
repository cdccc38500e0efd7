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

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
_VERSION_FILE = re.compile(r"^v(\d+)\.yaml$")


class PromptError(ValueError):
    """A prompt file is missing or malformed."""


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


def available_versions(prompt_id: str, root: Path = PROMPTS_DIR) -> list[int]:
    folder = root / prompt_id
    if not folder.is_dir():
        return []
    return sorted(int(m[1]) for p in folder.iterdir() if (m := _VERSION_FILE.match(p.name)))


@lru_cache(maxsize=64)
def load_prompt(prompt_id: str, version: int | None = None, root: Path = PROMPTS_DIR) -> Prompt:
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
