"""The project's own recognisers: NHS/CHI/NI numbers, postcodes, emails, phones, dates of birth.

They run on the normalised view (see :mod:`bot.privacy.normalise`), so every pattern only has to
know ASCII digits, single spaces and "-", "/", "." as separators. They are stronger than a
general PII engine for these kinds (a Modulus 11 check, HMRC's NI prefix rules, the real shape of
UK postcodes), so where they and Presidio disagree, they win.

Patterns use explicit ASCII classes plus ``re.ASCII``: the view is ASCII for everything that can
form an identifier, and Unicode-aware ``\\d`` would let odd code points take part in matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.privacy.result import PLACEHOLDERS, Action, IdentifierKind
from bot.privacy.validators import is_plausible_chi_number, is_valid_nhs_number

__all__ = ["Candidate", "dates_of_birth", "identifier_candidates"]


@dataclass(frozen=True)
class Candidate:
    """A span of the view that a recogniser believes is an identifier of `kind`."""

    kind: IdentifierKind
    start: int
    end: int

    @property
    def action(self) -> Action:
        return "warned" if self.kind == "possible_nhs_number" else "redacted"

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Candidate) -> bool:
        return self.start <= other.start and other.end <= self.end


# --------------------------------------------------------------------------------------------
# Ten-digit numbers: NHS, CHI, and ambiguous runs worth a warning
# --------------------------------------------------------------------------------------------

_DIGIT_GROUP = re.compile(r"[0-9]+", re.ASCII)
_GAP = re.compile(r" ?([-./_]) ?| |(\n)", re.ASCII)
# Shapes in which an unvalidated ten-digit run is worth a warning: how NHS numbers are printed.
_WARN_SHAPES = {(10,), (3, 3, 4)}


def _gap_kind(text: str, end: int, start: int) -> str | None:
    """The separator joining two digit groups ("-", ".", "/", "_" or " "), or None if none."""
    match = _GAP.fullmatch(text, end, start)
    if match is None:
        return None
    return match.group(1) or match.group(2) or " "


def _ten_digit_runs(text: str) -> Iterator[Candidate]:
    """Every way of reading ten digits out of consecutive digit groups with one separator kind.

    "943 476 5919", "9434 765 919", "94.34.76.59.19", "943 - 476 - 5919" and "9434765919" are all
    ten digits written with one kind of separator. Groups are whole: digits inside a longer run
    are never taken. Groups are all two digits or more, or all single digits (a number spelled
    out digit by digit). A bare-"." or same-separator neighbour rejects a reading: the ten digits
    are then part of a decimal or a longer code ("0.0123456789", "12-943-476-5919"), whereas a
    figure after a space ("943 476 5919 12 practices") does not.
    """
    groups = [m.span() for m in _DIGIT_GROUP.finditer(text)]
    gaps = [_gap_kind(text, groups[k][1], groups[k + 1][0]) for k in range(len(groups) - 1)]
    for i in range(len(groups)):
        total = 0
        kind: str | None = None
        for j in range(i, len(groups)):
            if j > i:
                gap = gaps[j - 1]
                if gap is None or (kind is not None and gap != kind):
                    break
                kind = gap
            total += groups[j][1] - groups[j][0]
            if total > 10:
                break
            if total == 10:
                sizes = tuple(e - s for s, e in groups[i : j + 1])
                if (min(sizes) >= 2 or max(sizes) == 1) and not _joined_beyond(
                    text, groups, gaps, i, j, kind
                ):
                    yield _classify(text, groups[i][0], groups[j][1], sizes)
                break


def _joined_beyond(
    text: str,
    groups: list[tuple[int, int]],
    gaps: list[str | None],
    i: int,
    j: int,
    kind: str | None,
) -> bool:
    """True when groups i..j continue, on either side, as a decimal or a longer code."""
    for gap in (i - 1, j):  # the gap between groups `gap` and `gap + 1`
        if 0 <= gap < len(gaps) and gaps[gap] is not None:
            bare = text[groups[gap][1] : groups[gap + 1][0]]
            if bare == "." or (kind is not None and kind != " " and bare == kind):
                return True
    return False


def _classify(text: str, start: int, end: int, sizes: tuple[int, ...]) -> Candidate:
    value = text[start:end]
    if is_valid_nhs_number(value):
        return Candidate("nhs_number", start, end)
    if is_plausible_chi_number(value):
        return Candidate("chi_number", start, end)
    if sizes in _WARN_SHAPES:
        return Candidate("possible_nhs_number", start, end)
    return Candidate("possible_nhs_number", start, start)  # empty: dropped by the caller


# --------------------------------------------------------------------------------------------
# Postcodes, NI numbers, emails, phones
# --------------------------------------------------------------------------------------------

# UK postcode. domain.md gives `[A-Z]{1,2}[0-9R][0-9A-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2}`; two
# refinements keep prose safe without losing a real postcode: the "R" in the third position
# exists only for GIR 0AA (left general it turns "for 5th" into a postcode), and real postcodes
# never start with Q, V or X, nor have I, J or Z second ("Q1 2nd" is a quarter). A space or a
# hyphen may separate the halves ("SW1A-1AA"); the view has already collapsed double spaces.
_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR[ -]?0AA"
    r"|[A-PR-UWYZ](?:[0-9][0-9A-Z]?|[A-HK-Y][0-9][0-9A-Z]?)"
    r"[ +-]?(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2}))"
    r"(?![A-Za-z0-9])",
    re.ASCII | re.IGNORECASE,
)
_ORDINALS = {"1": "st", "2": "nd", "3": "rd"}


def _is_ordinal(inward: str) -> bool:
    """'2nd', '1st', '4th' in lower case: "room B2 2nd floor" names a floor, not a postcode."""
    return inward[1:].islower() and inward[1:] == _ORDINALS.get(inward[0], "th")


# National Insurance number: prefix letters per HMRC (first never D F I Q U V, second never
# D F I O Q U V, and BG GB KN NK NT TN ZZ unused), six digits, then the suffix A-D, which people
# often leave off. QQ breaks the letter rules but is HMRC's own specimen prefix, the one people
# copy from forms; it is accepted on purpose, like the NHS test range.
_NI_PREFIX = r"(?!BG|GB|KN|NK|NT|TN|ZZ)(?:QQ|[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])"
_NI_DIGITS = r"[ -]?[0-9]{2}(?P<s>[ -]?)[0-9]{2}(?P=s)[0-9]{2}"
_NI_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?i:{_NI_PREFIX}){_NI_DIGITS}(?P=s)(?i:[A-D])(?![A-Za-z0-9])", re.ASCII
)
# Without the suffix the shape is weaker ("on 2025-10-10" would be "ON 20 25 10"), so the prefix
# must be in capitals and the digits must not run on into a date or a longer number.
_NI_NO_SUFFIX_RE = re.compile(
    rf"(?<![A-Za-z0-9]){_NI_PREFIX}{_NI_DIGITS}(?![A-Za-z0-9]|-[0-9])", re.ASCII
)


# Email: the full RFC 5322 atom character set in the local part (a narrower set would leave part
# of "j{smith@nhs.net" behind), and a dotted domain of LDH labels. The lookbehind makes the
# match start at the beginning of the local part and keeps the scan linear.
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_EMAIL_RE = re.compile(rf"(?<![{_ATEXT}])[{_ATEXT}]+ ?@ ?(?:{_LABEL}\.)+{_LABEL}", re.ASCII)

# Emails written to dodge filters: "jane.smith at trust dot nhs dot uk", "jane [at] nhs [dot] net",
# "jane(at)nhs.net". The domain must end in a known top-level label and the address must use at
# least one spelled-out or bracketed "at"/"dot" (plain addresses are the pattern above), so
# "meet at the ICB" or "look at 3.30" never match.
_OB_AT = r"(?: ?[\[({<] ?at ?[\])}>] ?| at )"
_OB_DOT = r"(?: ?[\[({<] ?dot ?[\])}>] ?| dot |\.)"
_WORD = r"[A-Za-z0-9][A-Za-z0-9_%+'-]*"
_TLD = r"(?:uk|com|net|org|gov|nhs|scot|wales|cymru|io|co|ac|info|biz|eu|ie|me|email)"
_OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![A-Za-z0-9._%+'-]){_WORD}(?:{_OB_DOT}{_WORD})*{_OB_AT}"
    rf"{_LABEL}(?:{_OB_DOT}{_LABEL})*{_OB_DOT}{_TLD}(?![A-Za-z0-9])",
    re.ASCII | re.IGNORECASE,
)
_SPELLED = re.compile(r"[\[({<] ?(?:at|dot) ?[\])}>]| (?:at|dot) ", re.ASCII | re.IGNORECASE)

# UK phone numbers: +44 / 0044 (optionally "(0)") or a national 0, then digit groups separated by
# a space, a hyphen or a dot, brackets round the area code allowed. After the first group, groups
# need two or more digits, so a stray "1" in "0123 456 789 1 practice" is not swallowed. The
# national number must be 9 or 10 digits; over-long matches are trimmed group by group.
_PHONE_RE = re.compile(
    r"(?<![\w+.])"
    r"(?P<prefix>(?:\+|00) ?44 ?-? ?(?:\(0\) ?-? ?)?|\(0|0)"
    r"(?P<body>[0-9]+\)?(?:(?: ?[-.] ?| )?[0-9]{2,})*)",
    re.ASCII,
)


def _phones(text: str) -> Iterator[Candidate]:
    """UK phone numbers whose national part is 9 or 10 digits, trimmed if the match ran on.

    After a trimmed match the scan resumes where the phone number ended, not where the regex
    stopped, so "07700 900123 07700 900124" yields both numbers in one pass.
    """
    pos = 0
    while (match := _PHONE_RE.search(text, pos)) is not None:
        # On a miss, try again one character on: "(0044 121 4960528)" first matches from "(0".
        pos = match.start() + 1
        international = match.group("prefix").startswith(("+", "00"))
        body_start = match.start("body")
        groups = [
            (body_start + g.start(), body_start + g.end())
            for g in _DIGIT_GROUP.finditer(match.group("body"))
        ]
        sizes = [end - start for start, end in groups]
        # "+44 020 7946 0958" is a common slip: the trunk 0 is not part of the national number.
        if international and text[groups[0][0]] == "0":
            sizes[0] -= 1
        while len(groups) > 1 and sum(sizes) > 10:
            groups.pop()
            sizes.pop()
        if 9 <= sum(sizes) <= 10:
            end = groups[-1][1]
            if len(groups) == 1 and text.startswith(")", end) and "(" in match.group("prefix"):
                end += 1
            pos = end
            yield Candidate("phone", match.start(), end)


# A value read out one character at a time, as when it was dictated or typed to dodge a filter:
# "a n n . w @ y a h o o . c o . u k", "L S 1 1  5 P Q". Five or more single characters, each
# separated from the next by one space.
_SPELLED_OUT_RE = re.compile(r"(?<!\S)\S(?: \S){4,}(?!\S)")


def _spelled_out(text: str) -> list[Candidate]:
    """Identifiers written character by character: each run is read with its spaces dropped, and
    whatever the recognisers find in that reading is claimed over the whole run (a run spelled
    out that holds an identifier is, as written, nothing but that identifier)."""
    found: list[Candidate] = []
    for run in _SPELLED_OUT_RE.finditer(text):
        joined = run.group(0).replace(" ", "")
        kinds = {c.kind for c in _plain_candidates(joined) if c.end - c.start >= len(joined) // 2}
        found += [Candidate(kind, *run.span()) for kind in kinds]
    return found


def identifier_candidates(text: str) -> list[Candidate]:
    """Every non-date candidate in the view, overlapping freely (the guard resolves overlaps)."""
    return _plain_candidates(text) + _spelled_out(text)


def _plain_candidates(text: str) -> list[Candidate]:
    """The recognisers' candidates as the view is written (see :func:`identifier_candidates`)."""
    found: list[Candidate] = [c for c in _ten_digit_runs(text) if c.end > c.start]
    found += [Candidate("ni_number", *m.span()) for m in _NI_RE.finditer(text)]
    found += [Candidate("ni_number", *m.span()) for m in _NI_NO_SUFFIX_RE.finditer(text)]
    found += [Candidate("email", *m.span()) for m in _EMAIL_RE.finditer(text)]
    found += [
        Candidate("email", *m.span())
        for m in _OBFUSCATED_EMAIL_RE.finditer(text)
        if _SPELLED.search(m.group(0))
    ]
    found += _phones(text)
    found += [
        Candidate("postcode", *m.span())
        for m in _POSTCODE_RE.finditer(text)
        if not (m.group("inward") and _is_ordinal(m.group("inward")))
    ]
    return found


# --------------------------------------------------------------------------------------------
# Dates of birth
# --------------------------------------------------------------------------------------------

# Dates: numeric (12/03/1954, 12-03-54, 12.03.1954, 09 10 1953, 07081952), ISO (1954-03-12) and
# written (12 March 1954, 12th of Mar '54, March 12, 1954). Month-and-year alone ("March 2025") is
# not a date of birth and is never matched.
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY2 = r"(?:0[1-9]|[12][0-9]|3[01])"
_MONTH2 = r"(?:0[1-9]|1[0-2])"
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_FULL_YEAR = r"(?:19|20)[0-9]{2}"
_DATE_RE = re.compile(
    r"(?<![0-9A-Za-z/.\-])(?:"
    rf"{_DAY}(?P<sep> ?[/.\-] ?){_MONTH}(?P=sep)(?:{_FULL_YEAR}|[0-9]{{2}})"
    rf"|{_DAY} {_MONTH} {_FULL_YEAR}"
    rf"|{_DAY2}{_MONTH2}{_FULL_YEAR}"
    rf"|{_FULL_YEAR}-{_MONTH}-{_DAY}"
    rf"|{_DAY}{_ORDINAL} (?:of )?{_MONTH_NAME}\.?,? (?:{_FULL_YEAR}|'?[0-9]{{2}})"
    rf"|{_MONTH_NAME}\.? {_DAY}{_ORDINAL},? {_FULL_YEAR}"
    r")(?![0-9A-Za-z/\-]|\.[0-9])",
    re.ASCII | re.IGNORECASE,
)

# Words that make a nearby date a date of birth. Strong ones are about birth itself; weak ones
# ("patient", "aged") make an individual likely but also appear in planning text, so they only
# count before the date. A date introduced by a planning word ("from", "by", "between" ...) is a
# plan, not a birthday, even near a strong cue; next to a weak cue "on", "in", "and", "of" and
# "or" count as planning words too, but never next to a strong one ("born on 12 March 1954").
# An event word between the cue and the date ("patient survey date", "programme start date")
# means the date belongs to the event. "patients" (plural) is not a cue.
_STRONG_CUE_RE = re.compile(
    r"(?<![A-Za-z])(?:date of birth|(?:new|still)?born|birth(?:day|date)?|d\.?[ ]?o\.?[ ]?b"
    r"|(?<![A-Za-z.])b\.(?= ))"  # "b. 5 Jan 1944": the genealogists' born
    r"(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
_WEAK_CUE_RE = re.compile(r"(?<![A-Za-z])(?:aged|patient(?:'s)?)(?![A-Za-z])", re.ASCII | re.I)
_PLANNING = (
    r"from|by|until|till|to|between|since|before|after|during|starting|ending|commencing"
    r"|due|deadline|w/c"
)
_STRONG_PLANNING_RE = re.compile(rf"(?<![A-Za-z])(?:{_PLANNING})[ :,]*$", re.ASCII | re.I)
_WEAK_PLANNING_RE = re.compile(rf"(?<![A-Za-z])(?:{_PLANNING}|on|in|and|of|or)[ :,]*$", re.A | re.I)
_EVENT_RE = re.compile(
    r"(?<![A-Za-z])(?:survey|start(?:s|ed)?|launch(?:ed|es)?|go[ -]live|programme|program|audit"
    r"|review|meeting|appointment|clinic|admi(?:tted|ssion)|discharged?|referr(?:al|ed)|census"
    r"|snapshot|published|report(?:ed)?|baseline|pilot|visit|session|workshop|deadline|event"
    r"|contract|commissioned|opened|closed|effective|issued|signed|updated|version)(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
_CUE_WINDOW = 60
_JUST_PUNCTUATION = re.compile(r"[ ,:;(\[-]*", re.ASCII)
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_UNIT = "\x00"  # one collapsed span in the context view (see dates_of_birth)
_NAME_PLACEHOLDER_RE = re.compile(re.escape(PLACEHOLDERS["name"]))
_ROW_GAP_RE = re.compile(r"[ ,;|:()\-]*", re.ASCII)


def dates_of_birth(text: str, taken: list[Candidate]) -> list[Candidate]:
    """Dates that sit near a birth or patient cue in the same line, outside spans already taken.

    Cues are looked for in a *collapsed* view in which every other finding, every date and every
    placeholder counts as a single character, so distances are the same whether an email is still
    there or already replaced by "[email removed]", and a "[date of birth removed]" placeholder is
    never a cue itself. Guarding the guard's own output therefore finds no new dates of birth.
    """
    dates = [
        Candidate("date_of_birth", m.start(), m.end())
        for m in _DATE_RE.finditer(text)
        if not any(t.start < m.end() and m.start() < t.end for t in taken)
    ]
    if not dates:
        return []
    units = sorted(
        [(t.start, t.end) for t in taken]
        + [(d.start, d.end) for d in dates]
        + [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
    )
    pieces: list[str] = []
    where: dict[int, int] = {}  # original start of a unit -> its index in the collapsed view
    size = 0
    cursor = 0
    for start, end in units:
        if start < cursor:  # defensive: units never overlap, but never double-count one
            continue
        pieces.append(text[cursor:start])
        size += start - cursor
        where[start] = size
        pieces.append(_UNIT)
        size += 1
        cursor = end
    pieces.append(text[cursor:])
    view = "".join(pieces)
    strong = [m.span() for m in _STRONG_CUE_RE.finditer(view)]
    weak = [m.span() for m in _WEAK_CUE_RE.finditer(view)]
    names = [m.span() for m in _NAME_PLACEHOLDER_RE.finditer(text)]
    return [
        date
        for date in dates
        if (
            (at := where.get(date.start)) is not None
            and (_is_birth_date(view, at, strong, weak) or _beside_a_name(text, date, names))
        )
    ]


def _beside_a_name(text: str, date: Candidate, names: list[tuple[int, int]]) -> bool:
    """A full date with nothing but punctuation between it and a removed name, on one line:
    "[patient name removed], 29/04/1990, asthma" is how a record row gives a date of birth. A date
    followed by an event word ("..., 12/03/2025 appointment") is the event's."""
    if _EVENT_RE.match(text, date.end + 1) or _EVENT_RE.match(text, date.end):
        return False
    return any(
        _ROW_GAP_RE.fullmatch(text, end, date.start) or _ROW_GAP_RE.fullmatch(text, date.end, start)
        for start, end in names
    )


def _is_birth_date(
    view: str, at: int, strong: list[tuple[int, int]], weak: list[tuple[int, int]]
) -> bool:
    line_start = view.rfind("\n", 0, at) + 1
    line_end = view.find("\n", at)
    line_end = len(view) if line_end < 0 else line_end
    lo, hi = max(line_start, at - _CUE_WINDOW), min(line_end, at + 1 + _CUE_WINDOW)
    before = view[max(line_start, at - 30) : at]
    for start, end in strong:
        # A strong cue claims the nearest date on its side only: in "DOB 12/03/1954, clinic
        # start 01/04/2025" the second date has another date between it and the cue.
        if lo <= start and end <= at:
            if _UNIT not in view[end:at] and not _STRONG_PLANNING_RE.search(before):
                return True
        elif at < start and end <= hi and _UNIT not in view[at + 1 : start]:
            # "13/10/1960 (date of birth)": a cue right after the date settles it
            right_after = _JUST_PUNCTUATION.fullmatch(view, at + 1, start) is not None
            return right_after or not _STRONG_PLANNING_RE.search(before)
    return any(
        lo <= start
        and end <= at
        and not _EVENT_RE.search(view, end, at)
        and not _WEAK_PLANNING_RE.search(before)
        for start, end in weak
    )
