"""Rule-based checks of one piece of text: fast, deterministic feedback with no model.

The guided coach has no model, and the LLM coach must not be able to talk its way past the
hard failures (a solution dressed up as a problem, a symptom given as the cause, an outcome
nobody can measure), so these rules are the floor under both. They are deliberately simple
word patterns: a check that is easy to predict is easy for a user to satisfy, and easy to
test. Every regex is precompiled and bounded (no nested unbounded repeats), so a 10,000-word
paste is checked in a few milliseconds.

Each check returns a list of `Issue`: empty when the text passes. Messages are one friendly
sentence in British English that says what to do next, because they are shown to the user as
they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.coaching.vocabulary import JARGON_WORDS

Severity = Literal["major", "minor"]


@dataclass(frozen=True)
class Issue:
    """One problem found in a piece of text, phrased for the user."""

    code: str
    message: str
    severity: Severity


# --- shared vocabulary -------------------------------------------------------------------------

_MONTHS = (
    r"January|February|March|April|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_NUMBER_WORDS = (
    r"half|halves|halve[sd]?|thirds?|quarters?|twice|double[sd]?|triple[sd]?|treble[sd]?|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|"
    r"millions?|billions?|dozens?|per\s?cent|percent"
)

# A figure of any kind: digits, a percentage or pound sign (even with a placeholder, "£Y"),
# or a number word ("half", "a third", "twice").
NUMBER = re.compile(rf"\d|%|£|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)

# A time period: a year or financial year, a month, a quarter, or "last 12 months".
PERIOD = re.compile(
    rf"\b(?:19|20)\d{{2}}\b|\b(?:{_MONTHS})\b|\bQ[1-4]\b|\bFY\s?\d{{2}}\b|"
    r"\b(?:last|past|previous|next|first|over\s+the|during\s+the|for\s+the|in\s+the|for|over)"
    r"\s+(?:\d+|one|two|three|six|nine|twelve|eighteen|twenty-four)\s+"
    r"(?:days?|weeks?|months?|years?|quarters?)\b|"
    r"\b(?:last|this|previous|past|current)\s+(?:year|month|quarter|winter|summer)\b|"
    r"\bfinancial\s+year\b|\byear\s+to\s+date\b",
    re.IGNORECASE,
)
# "may" is nearly always the verb; only a capitalised "May" counts as the month.
_MAY = re.compile(r"\bMay\b")

SOURCE = re.compile(
    r"\b(?:data|datasets?|audits?|surveys?|regist(?:er|ers|ry|ries)|QOF|dashboards?|"
    r"reports?|HES|NHS\s+Digital|NHS\s+England|ONS|records?|we\s+counted|counted|"
    r"statistics|stats|census|Fingertips|OHID|UKHSA|SUS|extracts?|searches|EMIS|SystmOne|"
    r"GIRFT|Model\s+Hospital|benchmarking|published|study|studies)\b",
    re.IGNORECASE,
)

GROUP = re.compile(
    r"\b(?:patients?|people|persons?|adults?|children|child|kids|young\s+people|youngsters|"
    r"babies|infants|toddlers|mums|dads|"
    r"residents?|carers?|staff|women|men|mothers|fathers|parents|families|pupils|students|"
    r"elderly|veterans|teenagers|adolescents|service\s+users|users|population|inpatients|"
    r"outpatients|clinicians|nurses|doctors|GPs|pharmacists|workers|employees|those\s+(?:on|"
    r"with|who|aged)|aged\s+\d+|over-?\d+s)\b|"
    r"\bon\s+(?:the|our|their|its)\s+(?:[\w&()-]+\s+){0,4}?regist(?:er|ers|ry|ries)\b",
    re.IGNORECASE,
)

SETTING = re.compile(
    r"\b(?:practices?|surgery|surgeries|wards?|trusts?|hospitals?|boroughs?|networks?|PCNs?|"
    r"count(?:y|ies)|ICSs?|ICBs?|homes?|community|communities|regions?|city|cities|towns?|"
    r"districts?|localit(?:y|ies)|neighbourhoods?|areas?|clinics?|emergency\s+department|"
    r"A&E|pharmac(?:y|ies)|schools?|councils?|primary\s+care|secondary\s+care|hospices?|"
    r"prisons?|England|Scotland|Wales|Northern\s+Ireland|ambulance\s+service|"
    r"integrated\s+care\s+(?:boards?|systems?)|health\s+boards?|catchment|nationally|"
    r"national|country)\b",
    re.IGNORECASE,
)
# A named place after a preposition ("in Leeds", "across Gloucestershire"): case-sensitive so
# that ordinary words do not count, with months and days excluded below.
_NAMED_PLACE = re.compile(r"\b(?:in|across|at|around|throughout|within)\s+([A-Z][a-z]{2,})")
_NOT_PLACES = frozenset(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday The This That Our Their Its "
    "What Which Some Each Every".split()
)

EXCLUSION = re.compile(
    r"\b(?:excluding|exclude[sd]?|exclusions?|out\s+of\s+scope|outside\s+(?:the\s+)?scope|"
    r"not\s+in\s+scope|not\s+including|except(?:ing)?|but\s+not|not\s+covered|"
    r"(?:does|do|will|would)\s+not\s+(?:cover|include)|won't\s+(?:cover|include))\b",
    re.IGNORECASE,
)

# --- solution-first ----------------------------------------------------------------------------

_TECH_CORE = (
    r"apps?|platforms?|dashboards?|portals?|software|devices?|wearables?|ai|"
    r"artificial\s+intelligence|algorithms?|chatbots?|sensors?|telehealth|telemonitoring"
)
# Named products and kit a partner could sell or a bid could buy: as the object of a need, or
# missing, they make the problem "we have not bought X yet".
_PRODUCT = (
    _TECH_CORE
    + r"|kiosks?|(?<!to )monitors?|cameras?|(?:test\s+|home\s+)?kits|machines?|scanners?|"
    r"robots?|headsets?|tablets?|"
    r"text(?:\s+message)?\s+reminders?|reminder\s+(?:system|service|texts?)|"
    r"booking\s+system|(?:\w+\s+)?tool|tools"
)
_TECH_ALL = _PRODUCT + r"|systems?|solutions?|technology|application"
_SOLUTION_VERBS = (
    r"implement|roll(?:ing)?[- ]out|deploy|buy|procure|introduce|install|commission|purchase|"
    r"adopt|bring\s+in|launch|fund"
)
_SOLUTION_PATTERNS = (
    # "we need to roll out…", "the trust wants to buy…", "how might we introduce…"
    r"\b(?:we|i|they|the\s+trust|the\s+practice|practices|the\s+icb|the\s+pcn)\s+"
    r"(?:\w+\s+){0,2}?(?:need|needs|want|wants|require|requires|would\s+like|'d\s+like|plan|"
    r"plans|intend|intends|aim|aims|hope|hopes|propose|proposes|are\s+going|is\s+going|should|"
    r"must|will|could|might|can)\s+(?:to\s+)?(?:" + _SOLUTION_VERBS + r")\b",
    # "we need a remote monitoring app", "people need blood pressure kiosks"
    r"\b(?:need|needs|needed|want|wants|require|requires)\s+(?:an?\s+|the\s+|some\s+|more\s+|"
    r"new\s+|better\s+)?(?:[\w'’-]+\s+){0,3}?(?:" + _TECH_ALL + r")\b",
    # "every pharmacy should have a kiosk"
    r"\b(?:should|must|ought\s+to)\s+(?:all\s+)?(?:have|get|be\s+given)\s+(?:an?\s+|the\s+|"
    r"their\s+own\s+)?(?:[\w'’-]+\s+){0,3}?(?:" + _PRODUCT + r")\b",
    # the absence of a product as the problem: "no app", "there aren't any BP kiosks",
    # "we do not have a two-way text reminder system"
    r"\b(?:lack\s+of|no|without|absence\s+of|(?:are|is)\s*n[o']t\s+(?:any|an?)|"
    r"(?:do|does|did)\s*n[o']t\s+have\s+(?:any|an?|the)?|have\s*n[o']t\s+got\s+(?:any|an?)?)"
    r"\s*(?:[\w'’-]+\s+){0,3}?(?:" + _PRODUCT + r")\b",
    # "a platform will…", "the new dashboard would…"
    r"\b(?:a|an|the|this|our|new|digital)\s+(?:[\w'’-]+\s+){0,3}?(?:" + _TECH_ALL + r")\s+"
    r"(?:will|would|could|can|should|that\s+will)\b",
    # "implementing a new dashboard", "using an app", "GPs are not using our AI tool"
    r"\b(?:implement(?:ing)?|introduc(?:e|ing)|deploy(?:ing)?|roll(?:ing)?\s+out|"
    r"procur(?:e|ing)|buy(?:ing)?|purchas(?:e|ing)|build(?:ing)?|develop(?:ing)?|creat(?:e|ing)|"
    r"launch(?:ing)?|pilot(?:ing)?|install(?:ing)?|fund(?:ing)?|using|use|via|through)\s+"
    r"(?:an?|the|our|their|its|new|a\s+new)\s+(?:[\w'’-]+\s+){0,3}?(?:" + _TECH_ALL + r")\b",
    # any intervention said to be the fix: "a volunteer service that settles people in would
    # fix this"
    r"\b(?:would|will|could|can)\s+(?:fix|solve|sort|resolve|cure)\s+(?:this|it|that|the\s+"
    r"problem)\b",
    # "theatre scheduling software deployed", "kiosks installed in every pharmacy"
    r"\b(?:" + _PRODUCT + r")\s+(?:is\s+|are\s+|being\s+)?(?:deployed|installed|rolled\s+out|"
    r"introduced|adopted|launched|procured|bought|purchased)\b",
    r"\bremote[- ]monitoring\b",
)
SOLUTION_FIRST = re.compile("|".join(_SOLUTION_PATTERNS), re.IGNORECASE)
# Every pattern above needs one of these words; most text has none, so it skips the patterns.
_SOLUTION_CUE = re.compile(
    r"\b(?:" + _TECH_ALL + r"|" + _SOLUTION_VERBS + r"|fix|solve|sort|resolve|cure|remote|"
    r"roll(?:ing)?|implement\w*|deploy\w*|introduc\w*|procur\w*|purchas\w*|install\w*|"
    r"launch\w*)",
    re.IGNORECASE,
)
_PRODUCT_WORD = re.compile(rf"\b(?:{_PRODUCT})\b", re.IGNORECASE)
# Verbs that make a product the thing wanted rather than a fact about the service.
_WANTING = frozenset(
    "need needs needed want wants wanted require requires required lack lacks lacking".split()
)

# --- vague words, acronyms ---------------------------------------------------------------------

VAGUE = re.compile(
    r"\b(?:improv(?:e|es|ed|ing|ement|ements)|better|enhanc(?:e|es|ed|ing|ement)|"
    r"optimi[sz](?:e|es|ed|ing|ation)|streamlin(?:e|es|ed|ing)|poor(?:ly)?|issues?|"
    r"challeng(?:e|es|ing)|various|significant(?:ly)?|robust|"
    rf"transform(?:s|ed|ing|ation|ational)?|{JARGON_WORDS})\b",
    re.IGNORECASE,
)
_NEARBY = 50  # characters either side of a vague word in which a figure rescues it

ACRONYM = re.compile(r"(?<![\w&])([A-Z][A-Z0-9&]{1,7})s?(?![\w&])")
_EXPANDED_AFTER = re.compile(r"[A-Za-z]{2,}[\s,]*\(\s*([A-Z][A-Z0-9&]{1,7})s?\s*\)")
_EXPANDED_BEFORE = re.compile(
    r"(?<![\w&])([A-Z][A-Z0-9&]{1,7})s?\s*\(\s*([^()]{3,120}?)\s*\)",
)
_LOWER_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]{2,}")
KNOWN_ACRONYMS = frozenset({"NHS", "UK", "GP", "A&E", "COVID"})

# --- symptom, not cause ------------------------------------------------------------------------

_RESOURCE = (
    r"staff|staffing|money|funding|funds|finance|resources?|capacity|time|nurses?|doctors?|"
    r"GPs?|clinicians?|pharmacists?|budgets?|workforce|beds|cash|investment|headcount|"
    r"posts|"
    # any role: radiologists, physiotherapists, technicians, midwives, care workers, surgeons
    r"\w{3,}(?:ists|ians|wives)|(?:care|support|social|key)\s+workers|workers|carers|"
    r"consultants|surgeons|specialists|practitioners|therapists|volunteers|officers"
)
LACK = re.compile(
    r"\b(?:no|not\s+enough|never\s+enough|lack(?:s|ing)?(?:\s+of)?|shortages?\s+of|short\s+of|"
    r"insufficient|too\s+few|too\s+little|limited|inadequate|reduced|cuts?\s+(?:to|in))\s+"
    r"(?:[\w-]+\s+){0,2}?(?:" + _RESOURCE + r")\b"
    r"|\b(?:do\s+not|don't|does\s+not|doesn't|cannot|can't|can\s+not)\s+(?:have|afford|get|"
    r"find|recruit)\s+(?:enough\s+|the\s+|any\s+)?(?:[\w-]+\s+)?(?:" + _RESOURCE + r")\b"
    r"|\b(?:under-?staffed|under-?funded|under-?resourced|short-?staffed|over-?stretched|"
    r"stretched\s+thin)\b"
    # "night staffing is thin", "cover is stretched": a shortfall said as a state
    r"|\b(?:staffing|staff|cover|workforce)\s+(?:is|are|was|were)\s+(?:very\s+|too\s+)?"
    r"(?:thin|stretched|low|short|tight)\b"
    # "4 vacancies", "vacancies in the team", "there's no money", "can't recruit"
    r"|\b(?:\d+|several|many|unfilled)\s+(?:\w+\s+)?vacanc(?:y|ies)\b|\bvacanc(?:y|ies)\s+"
    r"(?:in|across|on)\b|\bunfilled\s+posts?\b"
    r"|\b(?:there'?s|there\s+is)\s+no\s+(?:money|funding|capacity|budget|time)\b"
    r"|\b(?:cannot|can'?t|unable\s+to)\s+recruit\b|\brecruitment\s+(?:problems?|difficult\w*)",
    re.IGNORECASE,
)
# A how-might-we that asks for more resource is a funding bid, not an open question.
_MORE_RESOURCE = re.compile(
    r"\b(?:recruit|hire|fund|employ|train)\s+(?:more|extra|additional)\b|"
    r"\b(?:more|extra|additional)\s+(?:[\w'’-]+\s+){0,2}?(?:" + _RESOURCE + r")\b|"
    r"\b(?:increase|expand|grow|boost|give\s+\w+(?:\s+\w+)?\s+more)\s+(?:[\w'’-]+\s+){0,3}?"
    r"(?:capacity|workforce|staffing|funding|budgets?)\b",
    re.IGNORECASE,
)
# Connectors that put the cause after them ("X because Y") or before them ("Y, so X").
_CAUSE_AFTER = (
    r"because(?:\s+of)?|due\s+to|owing\s+to|caused\s+by|as\s+a\s+result\s+of|since|"
    r"the\s+reason\s+is|stems?\s+from|driven\s+by"
)
_CAUSE_BEFORE = (
    r"so(?!\s+(?:many|much|far|few|long|often|on|called)\b)|therefore|which\s+means|meaning|"
    r"lead(?:s|ing)\s+to|results?\s+in|resulting\s+in"
)
_CONNECTOR = re.compile(
    rf"\b(?:(?P<after>{_CAUSE_AFTER})|(?P<before>{_CAUSE_BEFORE}))\b", re.IGNORECASE
)

# --- outcomes, risks ---------------------------------------------------------------------------

TARGET = re.compile(
    r"\bfrom\b[^.;]{0,60}?\bto\b"
    r"|\bto\s+(?:at\s+least\s+|below\s+|under\s+|over\s+|above\s+|fewer\s+than\s+)?(?:\d|£)"
    rf"|\bby\s+(?:the\s+end\s+of\s+)?(?:{_MONTHS}|May|Q[1-4]|(?:19|20)\d{{2}}|end|spring|"
    r"summer|autumn|winter|year)\b"
    r"|\bwithin\s+(?:\d|one|two|three|four|six|twelve|a\s+(?:day|week|month|year))"
    r"|\bper\s+(?:day|week|month|quarter|year|annum|1,?000|100)\b"
    r"|\bat\s+(?:least|most)\b|\bno\s+more\s+than\b|\b(?:fewer|less|more)\s+than\b"
    r"|\b(?:reduc|increas|cut|rais|halv|doubl|lower|drop|fall|rise|grow|decreas)\w*\b"
    r"[^.;]{0,60}?(?:\d|%|£|\bhalf\b|\bthird\b|\bquarter\b)",
    re.IGNORECASE,
)
ACCOUNTABILITY = re.compile(
    r"\b(?:accountab\w*|responsib\w*|leads?|led\s+by|owners?|owns|ownership|in\s+charge|"
    r"sponsors?|SRO|governance|oversight)\b",
    re.IGNORECASE,
)
EXIT = re.compile(
    r"\b(?:exit|exits|stop|stops|stopped|stopping|ends?|ended|ending|hand(?:s|ed)?\s*back|"
    r"handover|withdraw\w*|sustain\w*|wind(?:s|ing)?\s+down|continu\w*|after\s+the\s+project)\b",
    re.IGNORECASE,
)

# --- counting ----------------------------------------------------------------------------------

_WORD = re.compile(r"\w[\w'’-]*")
_ABBREVIATION = re.compile(
    r"\b(?:e\.g|i\.e|etc|vs|approx|Dr|Mr|Mrs|Ms|St|No|cf|incl|Prof)\.", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


def word_count(text: str) -> int:
    """Words as people count them; emoji and punctuation do not count."""
    return sum(1 for _ in _WORD.finditer(text or ""))


def sentence_count(text: str) -> int:
    """Sentences, not counting the full stops in "e.g." or "2.5"; a missing final stop is fine."""
    flat = _ABBREVIATION.sub(lambda m: m.group(0)[:-1], (text or "").strip())
    if not _WORD.search(flat):
        return 0
    pieces = _SENTENCE_END.split(flat)
    return sum(1 for piece in pieces if _WORD.search(piece))


def has_number(text: str) -> bool:
    return bool(NUMBER.search(text or ""))


def has_period(text: str) -> bool:
    return bool(PERIOD.search(text or "") or _MAY.search(text or ""))


def has_source(text: str) -> bool:
    return bool(SOURCE.search(text or ""))


def has_group(text: str) -> bool:
    return bool(GROUP.search(text or ""))


def has_setting(text: str) -> bool:
    """A setting word, or a named place after a preposition ("in Leeds")."""
    text = text or ""
    if SETTING.search(text):
        return True
    return any(m.group(1) not in _NOT_PLACES for m in _NAMED_PLACE.finditer(text))


def has_exclusion(text: str) -> bool:
    return bool(EXCLUSION.search(text or ""))


def _quote(text: str, limit: int = 60) -> str:
    """A short, single-line quotation of the user's words for a message."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rsplit(" ", 1)[0] + "…"
    return f"“{flat}”"


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], so a quotation reads as the user wrote it."""
    left = max(text.rfind(".", 0, start), text.rfind("!", 0, start), text.rfind("?", 0, start))
    stops = [i for i in (text.find(ch, end) for ch in ".!?\n") if i != -1]
    return text[left + 1 : min(stops) if stops else len(text)].strip()


def _join(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c": lists read naturally in a sentence."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- checks ------------------------------------------------------------------------------------


def _wanted_product(sentence: str) -> str | None:
    """A product the parse shows is wanted or missing, however far from its verb: the object
    of "need" or "lack", or governed by a negated "have", "use" or "there are"."""
    if not _PRODUCT_WORD.search(sentence):
        return None
    from bot.coaching import grammar  # spaCy is loaded only when a product is named

    doc = grammar.parse(sentence)
    if doc is None:
        return None
    for token in doc:
        if token.pos_ not in ("NOUN", "PROPN") or not _PRODUCT_WORD.fullmatch(token.text):
            continue
        if any(child.lower_ in ("no", "without") for child in token.children):
            return token.text
        head = token.head
        while head.dep_ in ("compound", "conj", "appos", "amod") and head.head is not head:
            head = head.head
        if token.dep_ in ("pobj",) and head.lower_ == "without":
            return token.text
        negated = any(child.dep_ == "neg" for child in head.children)
        if head.lower_ in _WANTING:
            return token.text
        if negated and head.lower_ in ("have", "has", "use", "using", "are", "is", "got"):
            return token.text
    return None


@lru_cache(maxsize=1024)
def find_solution(text: str) -> str | None:
    """The words that name a solution, quoted as a sentence (or a fragment of a long one).

    Word patterns catch the usual phrasings in any length of message; the parse then catches a
    product that is wanted or missing further from its verb ("care homes need acoustic
    monitoring sensors in every room"), in one sentence at a time, so a long paste is judged
    sentence by sentence rather than missed."""
    text = text or ""
    if not _SOLUTION_CUE.search(text):
        return None
    match = SOLUTION_FIRST.search(text)
    if match:
        sentence = " ".join(_sentence_around(text, match.start(), match.end()).split())
        return _quote(sentence) if len(sentence) <= 60 else _quote(f"…{match.group(0)}…")
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        product = _wanted_product(sentence)
        if product:
            return _quote(sentence) if len(sentence) <= 60 else _quote(f"…{product}…")
    return None


def find_solution_in_question(question: str) -> str | None:
    """A solution in a how-might-we: the usual phrasings, any named product ("How might we make
    kiosks available…"), or a bid for more resource ("How might we recruit more radiologists?"),
    each of which answers the question before it is asked."""
    match = _PRODUCT_WORD.search(question or "") or _MORE_RESOURCE.search(question or "")
    if match:
        return _quote(f"…{match.group(0)}…")
    return find_solution(question)


def solution_first(text: str, *, severity: Severity = "major") -> list[Issue]:
    """Flag a solution stated as the problem, which narrows the partnership to one answer.

    A problem that already names its fix ("we need an app") rules out the other fixes a
    partner might bring, and a partner selling that fix will agree with it whether or not it is
    the real problem; so it is major, except where an idea is welcome (the opening topic),
    where callers pass "minor".
    """
    quoted = find_solution(text)
    if quoted is None:
        return []
    if severity == "minor":
        message = (
            f"{quoted} sounds like a solution: fine as a starting idea, but next "
            "describe what goes wrong for people, so that at least three different fixes stay "
            "possible."
        )
    else:
        message = (
            f"{quoted} names a solution: describe what goes wrong for people now "
            "instead, so that at least three different fixes stay possible."
        )
    return [Issue("solution_first", message, severity)]


def missing_numbers(text: str) -> list[Issue]:
    """Flag text with no figure at all: partners and boards act on sizes, not adjectives."""
    if has_number(text):
        return []
    return [
        Issue(
            "missing_numbers",
            "Add a figure if you can, such as how many people, what percentage or how long "
            "they wait, so everyone can see the size of the problem.",
            "minor",
        )
    ]


def missing_group(text: str) -> list[Issue]:
    """Flag a problem without a defined group of people or a defined setting.

    "Patients" somewhere is nobody in particular: naming the group and the place is what lets
    partners count them and check the problem is theirs too.
    """
    group, setting = has_group(text), has_setting(text)
    if group and setting:
        return []
    if not group and not setting:
        what = (
            "Say who exactly is affected and where, e.g. “adults on the COPD (chronic "
            "obstructive pulmonary disease) registers of 12 practices in one primary care "
            "network”."
        )
    elif not group:
        what = (
            "Say which group of people is affected, e.g. “adults with heart failure” or "
            "“carers of people with dementia”."
        )
    else:
        what = (
            "Say where they are, e.g. “12 practices in one primary care network” or “two boroughs”."
        )
    return [Issue("missing_group", what, "minor")]


def vague_words(text: str) -> list[Issue]:
    """Flag words like "improve" or "better" with no figure near them.

    Vague words hide the size of the gap and who it is for; with a number next to them
    ("improve from 60% to 80%") they are fine, so only the bare ones are reported.
    """
    text = text or ""
    found: list[str] = []
    seen: set[str] = set()
    for match in VAGUE.finditer(text):
        word = match.group(0).lower()
        if word in seen:
            continue
        window = text[max(0, match.start() - _NEARBY) : match.end() + _NEARBY]
        if NUMBER.search(window):
            continue
        seen.add(word)
        found.append(word)
    if not found:
        return []
    quoted = _join([f"“{w}”" for w in found[:3]])
    noun = "is vague" if len(found) == 1 else "are vague"
    return [Issue("vague_words", f"{quoted} {noun}: by how much, for whom?", "minor")]


def _expanded_acronyms(text: str) -> set[str]:
    """Acronyms written out in the text, as "Full Words (ABC)" or "ABC (full words)"."""
    expanded = {m.group(1) for m in _EXPANDED_AFTER.finditer(text)}
    for match in _EXPANDED_BEFORE.finditer(text):
        if _LOWER_WORD.search(match.group(2)):
            expanded.add(match.group(1))
    return expanded


def find_unexpanded_acronyms(text: str) -> list[str]:
    """Acronyms a reader outside the team may not know, in order of first use."""
    text = text or ""
    expanded: set[str] | None = None
    found: list[str] = []
    for match in ACRONYM.finditer(text):
        token = match.group(1).rstrip("&")
        letters = sum(1 for ch in token if "A" <= ch <= "Z")
        if not 2 <= letters <= 6 or token in KNOWN_ACRONYMS or token in found:
            continue
        if expanded is None:  # only look for expansions when there is an acronym at all
            expanded = _expanded_acronyms(text)
        if token not in expanded:
            found.append(token)
    return found


def unexpanded_acronyms(text: str) -> list[Issue]:
    """Flag acronyms that are not spelled out: partners come from other organisations."""
    found = find_unexpanded_acronyms(text)
    if not found:
        return []
    listed = _join(found[:6]) + (" and others" if len(found) > 6 else "")
    pronoun = "it" if len(found) == 1 else "them"
    return [
        Issue(
            "unexpanded_acronyms",
            f"Spell out {listed} the first time you use {pronoun}, e.g. “full words "
            f"({found[0]})”, so readers outside your team can follow.",
            "minor",
        )
    ]


def _cause_segments(text: str) -> list[str]:
    """The parts of an answer that give a cause, judged by "because" / "so" connectors."""
    matches = list(_CONNECTOR.finditer(text))
    if not matches:
        return [text]
    bounds = [0, *(m.start() for m in matches), len(text)]
    segments = [text[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]
    causes = []
    for index, match in enumerate(matches):
        if match.group("after"):
            causes.append(segments[index + 1][len(match.group(0)) :])
        else:
            causes.append(segments[index])
    return causes


_CLAUSES = re.compile(r";|,\s+and\s+|,\s+but\s+|\s+and\s+(?=there\b|we\b|they\b|it\b)")


def symptom_not_cause(text: str) -> list[Issue]:
    """Flag a cause that is only "no staff / no money / no time".

    A lack of resource is the symptom every bid names; partners cannot act on it and it hides
    the process that fails. If the answer also gives a cause that is not a lack of resource
    ("…because reviews are never scheduled"), it passes.
    """
    text = text or ""
    if not LACK.search(text):
        return []
    for segment in _cause_segments(text):
        if word_count(segment) >= 3 and not LACK.search(segment):
            return []
        # "summaries wait for a doctor to write them, and there is no protected time": the
        # first clause is a cause in the process, whatever the second says
        for clause in _CLAUSES.split(segment):
            if word_count(clause) >= 5 and not LACK.search(clause):
                return []
    return [
        Issue(
            "symptom_not_cause",
            "That reads as a symptom (not enough staff, money or time) rather than the cause: "
            "ask “why?” once more, e.g. why does the work not happen with the people you have?",
            "major",
        )
    ]


def length(text: str, *, max_words: int, max_sentences: int | None = None) -> list[Issue]:
    """Flag text too long to take in at a glance (a problem statement is read in 30 seconds)."""
    issues: list[Issue] = []
    words = word_count(text)
    if words > max_words:
        issues.append(
            Issue(
                "too_long",
                f"Cut this to {max_words} words or fewer (it has {words}), keeping the one "
                "problem that matters most.",
                "minor",
            )
        )
    if max_sentences is not None:
        sentences = sentence_count(text)
        if sentences > max_sentences:
            issues.append(
                Issue(
                    "too_many_sentences",
                    f"Use at most {max_sentences} sentences (this has {sentences}): who and "
                    "the gap, why it matters, and the cause.",
                    "minor",
                )
            )
    return issues


def too_short(text: str, min_words: int) -> list[Issue]:
    """Flag an answer too thin to draft from."""
    if word_count(text) >= min_words:
        return []
    return [
        Issue(
            "too_short",
            f"Add a little more, at least {min_words} words, so a reader outside your team "
            "can follow.",
            "minor",
        )
    ]


def missing_source_or_period(text: str) -> list[Issue]:
    """Flag evidence without a data source or a period, which no partner can check."""
    missing = []
    if not has_source(text):
        missing.append("the data source (e.g. trust data, practice registers, a national audit)")
    if not has_period(text):
        missing.append("the period it covers (e.g. April–September 2024)")
    if not missing:
        return []
    return [
        Issue(
            "missing_source_or_period",
            f"Give {' and '.join(missing)} for each figure, so partners can check it.",
            "minor",
        )
    ]


def missing_measure(text: str) -> list[Issue]:
    """Flag an outcome without a measure and target: nobody could tell whether it worked."""
    text = text or ""
    if has_number(text) and TARGET.search(text):
        return []
    return [
        Issue(
            "missing_measure",
            "Name the measure, the baseline, the target and a date, e.g. “annual reviews from "
            "60% to 80% of the register by March, measured monthly”.",
            "major",
        )
    ]


def missing_scope(text: str) -> list[Issue]:
    """Flag a scope without a place, a period or a statement of what is left out."""
    missing = []
    if not has_setting(text):
        missing.append("which place")
    if not has_period(text):
        missing.append("which period")
    if not has_exclusion(text):
        missing.append("what is out of scope")
    if not missing:
        return []
    return [
        Issue(
            "missing_scope",
            f"Say {_join(missing)}, e.g. “two boroughs, April to March, excluding crisis "
            "referrals”.",
            "minor",
        )
    ]


def missing_accountability_or_exit(text: str) -> list[Issue]:
    """Flag risks with no accountable lead or no exit plan, which joint working requires."""
    missing = []
    if not ACCOUNTABILITY.search(text or ""):
        missing.append("who is accountable in each organisation")
    if not EXIT.search(text or ""):
        missing.append("how care stays safe if the work stops (the exit)")
    if not missing:
        return []
    return [
        Issue(
            "missing_accountability_or_exit",
            f"Say {' and '.join(missing)}.",
            "minor",
        )
    ]
