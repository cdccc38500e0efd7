"""The guard applied to structured text: one line for storage, nested data, pydantic models.

Call sites that format text (collapse whitespace, cut to a length, add a prefix) must guard the
*result*, because formatting can rebuild what the guard removed: "676  122  2028" is not the
same string as "676 122 2028". These helpers keep that order in one place.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, TypeVar

from bot.privacy.guard import redact_text

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["redact_data", "redact_line", "redact_model"]

M = TypeVar("M", bound="BaseModel")


def redact_line(text: str, limit: int | None = None) -> str:
    """`text` as one guarded line: redacted, whitespace collapsed, cut to `limit`, redacted again.

    The first pass removes identifiers while they are whole (cutting first could leave eight of
    an NHS number's ten digits, which no pattern recognises); the second removes anything the
    collapsing or cutting put together.
    """
    line = " ".join(redact_text(text).split())
    if limit is not None:
        line = line[:limit].rstrip()
    return redact_text(line)


def redact_data(value: Any) -> Any:
    """A copy of `value` with every string inside dicts, lists and tuples redacted."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_data(item) for item in value)
    return value


def redact_model(model: M, *, keep: Collection[str] = ()) -> M:
    """A copy of `model` with every string field redacted, except the top-level fields in `keep`
    (e.g. citations of the project's own knowledge base, whose links must stay intact)."""
    data = model.model_dump()
    guarded = {key: value if key in keep else redact_data(value) for key, value in data.items()}
    return type(model).model_validate(guarded)
