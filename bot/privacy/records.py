"""Hospital numbers (MRNs) and street addresses: identifiers with no checksum and no fixed shape.

A hospital number is whatever the local patient administration system issues ("RXH4417829",
"K2290415", "00123456"), so only its cue tells it apart from a product code: it is claimed when
it follows "MRN", "hospital number", "unit number" or "medical record number". A street address
is a house or flat number followed by a street name and a street type ("14 Acacia Avenue",
"Flat 3, 22 Mill Lane"); names of NHS sites ("St Anne's ward", "Millbrook Surgery") have no
house number before them and are left alone.
"""

from __future__ import annotations

import re

from bot.privacy.recognisers import Candidate

__all__ = ["address_candidates", "hospital_number_candidates"]

_MRN_CUE = (
    r"(?:MRN|M\.R\.N\.?|hospital (?:number|no\.?|num|id)|hosp\.? (?:number|no\.?)"
    r"|unit (?:number|no\.?)"
    r"|(?:medical |health |case )?record (?:number|no\.?)|RTX number|PAS (?:number|no\.?|id)"
    r"|case ?notes? (?:number|no\.?)|notes (?:number|no\.?)"
    r"|patient (?:id|identifier|number|no\.?)|case (?:number|no\.?))"
)
_MRN_RE = re.compile(
    rf"(?<![A-Za-z]){_MRN_CUE}s?[ :#.=-]*(?:(?:is|was|of|:) )?"
    r"(?P<value>(?=(?:[A-Za-z -]*[0-9]){5})[A-Za-z]{0,4}[ -]?[0-9][0-9 -]{3,14}[0-9][A-Za-z]?)"
    r"(?![A-Za-z0-9])",
    re.ASCII | re.IGNORECASE,
)

_STREET_TYPES = (
    r"Street|Road|Avenue|Lane|Close|Crescent|Drive|Way|Grove|Place|Court|Gardens|Terrace|Walk"
    r"|Hill|Park|Square|Mews|Row|Rise|View|Green|Parade|Vale|Boulevard|Approach|Croft|Fold"
    r"|Gate|Wharf|Yard|Chase|Meadows?|Heights|Bank|Brow|Wynd|Embankment|Rd|Ave|Ln|Cres|Gdns"
    r"|Tce|Sq|Cl|Pl|Ct|Gr|St|Dr"
)
# Street types readable in lower case too ("14 acacia avenue"); "drive", "way", "walk" and the
# like are not, as "a 5 minute drive" is no address.
_LOWER_STREET_TYPES = r"street|road|avenue|lane|crescent|grove|gardens|terrace|mews|close"
_UNIT = r"(?:Flat|Apartment|Apt\.?|Maisonette)"
_HOUSE = r"[0-9]{1,4}[A-Za-z]?(?:-[0-9]{1,4})?"
_NAME_WORD = r"[A-Z][A-Za-z'\-]+"
_ADDRESS_RE = re.compile(
    rf"(?<![A-Za-z0-9£$.,/-])(?:(?i:{_UNIT}) ?[0-9]{{1,4}}[A-Za-z]?,? )?{_HOUSE},? "
    rf"(?:(?:{_NAME_WORD} ){{1,3}}(?:{_STREET_TYPES}|{_STREET_TYPES.upper()})(?![A-Za-z])"
    r"(?! [A-Z][a-z])"
    rf"|(?:[a-z][a-z'.\-]* ){{1,3}}(?:{_LOWER_STREET_TYPES})(?![A-Za-z]))",
    re.ASCII,
)
# A flat number alone ("Flat 3", "flat 12b") also locates a person once the block is known.
_FLAT_RE = re.compile(
    rf"(?<![A-Za-z]){_UNIT} ?[0-9]{{1,4}}[A-Za-z]?(?![0-9%.]|[A-Za-z])"
    r"|(?<=\b(?:in|at) )(?:flat|apartment) ?[0-9]{1,4}[A-Za-z]?(?![0-9%.]|[A-Za-z])",
    re.ASCII,
)


def hospital_number_candidates(text: str) -> list[Candidate]:
    """Hospital numbers, MRNs and record numbers written after their cue in the view `text`."""
    return [Candidate("hospital_number", *m.span("value")) for m in _MRN_RE.finditer(text)]


def address_candidates(text: str) -> list[Candidate]:
    """Street addresses (house number + street) and flat numbers in the view `text`."""
    found = [Candidate("address", *m.span()) for m in _ADDRESS_RE.finditer(text)]
    found += [
        Candidate("address", *m.span())
        for m in _FLAT_RE.finditer(text)
        if not any(f.start <= m.start() < f.end for f in found)
    ]
    return found
