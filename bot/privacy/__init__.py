"""Privacy guard: find and redact patient-identifiable data before text goes anywhere.

Every path that stores, posts, exports, logs or sends text to a model passes it through
:func:`redact_identifiers` *after* its final formatting, so a pasted NHS number never reaches a
database row, a vector index, a channel, a log or a third-party API. The guard is deliberately
conservative (a lost postcode costs the user a retype; a leaked one is a reportable data breach)
but leaves the figures problem statements are made of ("18% vs 13%", "£9.8m", "1,928 patients",
"Apr–Sep 2023") untouched, or the coach becomes useless.

Modules: :mod:`normalise` (the canonical view and offset map), :mod:`validators` (Modulus 11,
CHI), :mod:`recognisers` (the project's UK patterns), :mod:`presidio_engine` (Presidio + spaCy,
loaded lazily once), :mod:`names` (patients' names versus staff and organisations),
:mod:`guard` (the redaction loop), :mod:`structured` (lines, nested data and models),
:mod:`log_filter` (log lines). The generated evaluation corpus lives outside the runtime
package, in ``benchmarks/privacy_corpus.py``.

The names below are loaded on first use (PEP 562), not when the package is imported: every
`coach` command installs :mod:`log_filter` at start, and a command that logs nothing (`coach
drafts list`, `coach --help`) should not pay for compiling the guard's patterns. Using a name
loads it as before, so callers see no difference.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.privacy.guard import redact_identifiers, redact_text
    from bot.privacy.result import Finding, GuardResult, IdentifierKind
    from bot.privacy.structured import redact_data, redact_line, redact_model
    from bot.privacy.validators import is_plausible_chi_number, is_valid_nhs_number

# Public name -> the module that defines it.
_HOMES = {
    "Finding": "bot.privacy.result",
    "GuardResult": "bot.privacy.result",
    "IdentifierKind": "bot.privacy.result",
    "is_plausible_chi_number": "bot.privacy.validators",
    "is_valid_nhs_number": "bot.privacy.validators",
    "redact_data": "bot.privacy.structured",
    "redact_identifiers": "bot.privacy.guard",
    "redact_line": "bot.privacy.structured",
    "redact_model": "bot.privacy.structured",
    "redact_text": "bot.privacy.guard",
}

__all__ = [
    "Finding",
    "GuardResult",
    "IdentifierKind",
    "is_plausible_chi_number",
    "is_valid_nhs_number",
    "redact_data",
    "redact_identifiers",
    "redact_line",
    "redact_model",
    "redact_text",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
