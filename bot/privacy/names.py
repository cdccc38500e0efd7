"""Patients' names: found by Presidio (and by their titles), kept when they are staff or firms.

A problem statement legitimately names people: the accountable lead, the pharmacist running the
clinic, the company's partnership manager. What must never be stored is a *patient's* name. So a
name is redacted only when something in its sentence says it belongs to a patient:

1. a strong patient cue (admitted, discharged, lives at, born, aged 82, DOB, an NHS number or a
   removed one) always wins: "Dr Patel, admitted on Monday" is a patient;
2. otherwise a staff title (Dr, Prof, Nurse ...) or a role next to the name ("accountable lead:",
   ", practice manager") means staff named in their role, kept;
3. otherwise a personal title (Mr, Mrs, Ms, Miss, Mx, Master) is enough: that is how patients
   are written about ("one patient, Mr X");
4. otherwise a weak cue (the patient, service user, resident, carer) makes it a patient.

Names come from two sources: Presidio's spaCy PERSON entities, and a pattern for a title followed
by capitalised words, which also catches what a small NER model misses ("Mr X"). Presidio tags
some companies as people ("Pfizer"), so organisations on an allow-list, and names made of
organisation words (Trust, Council, Ltd ...), are never treated as names. Presidio only runs when
the sentence has a patient cue at all: without one no name would be redacted, and most coaching
messages then cost nothing extra.
"""

from __future__ import annotations

import re

from bot.privacy import presidio_engine
from bot.privacy.recognisers import Candidate

__all__ = ["ORGANISATIONS", "patient_names"]

_PATIENT_TITLES = r"Mrs|Mr|Ms|Miss|Mx|Master"
_STAFF_TITLES = r"Dr|Doctor|Prof|Professor|Sister|Nurse|Matron|Cllr|Councillor|Rev|Revd|Sir|Dame"
_NAME_TOKEN = r"[A-Z](?:[A-Za-z]*(?:['-][A-Za-z]+)*)?"
_TITLED_NAME_RE = re.compile(
    rf"(?<![A-Za-z])(?P<title>{_PATIENT_TITLES}|{_STAFF_TITLES})\.? "
    rf"(?P<name>{_NAME_TOKEN}(?: {_NAME_TOKEN}){{0,2}})(?![A-Za-z])",
    re.ASCII,
)
# Backstop for what a small NER model misses ("Nkechi Davies was admitted"): two or three
# capitalised words right before a strong cue, or right after "the patient,".
_CUED_NAME_RE = re.compile(
    rf"(?:(?<![A-Za-z])(?:patient|service user|resident),? )?"
    rf"(?<![A-Za-z'-])(?P<name>{_NAME_TOKEN}(?: {_NAME_TOKEN}){{1,2}})"
    r"(?=,? (?:who |was |is |has been |had been |\()?(?:re-?admitted|admitted|discharged|lives"
    r"|living|aged|DOB|D\.O\.B|born|died|needs)(?![A-Za-z]))",
    re.ASCII,
)
_PATIENT_TITLE_SET = frozenset(_PATIENT_TITLES.split("|"))
_PATIENT_TITLE_RE = re.compile(rf"(?:{_PATIENT_TITLES})\.?(?= )", re.ASCII)

# Sentence ends: . ! ? ; or a line break, but not the dot of an abbreviated title.
_SENTENCE_END_RE = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bMx)(?<!\bSt)(?<!\bProf)[.!?;](?= |$)|\n"
)

_STRONG_CUE_RE = re.compile(
    r"(?<![A-Za-z])(?:re-?admitted|admitted|admission|discharged|lives|living|resides|resident of"
    r"|home address|address|d\.?o\.?b|date of birth|born|aged [0-9]|[0-9]+[ -]?(?:years?|yrs?)"
    r"[ -]?old|[0-9]+ ?y/?o|nhs (?:no|number)|hospital number|mrn|diagnosed|deceased|died"
    r"|next of kin|bed [0-9]+|(?:his|her|their) (?:son|daughter|wife|husband|partner|carer|mother"
    r"|father)"
    r"|\[(?:NHS number|CHI number|NI number|postcode|date of birth) removed\])(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
_WEAK_CUE_RE = re.compile(
    r"(?<![A-Za-z])(?:patient(?:'s)?|service user|resident|carer|client|case [0-9]+|pt)"
    r"(?! (?:safety|experience|engagement|voice|flow|pathways?|outcomes?|groups?|records?"
    r"|participation|representatives?|partners?|leaders?|numbers|cohorts?|population|forum"
    r"|panel|education|portal|access|feedback|satisfaction|reported|initiated|centred|centered"
    r"|facing|level|care|choice|data|details?|information|identifiable|identifiers?"
    r"|safety|stories|story|insight|journeys?|numbers?|lists?)(?![A-Za-z]))(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
_ROLE_RE = re.compile(
    r"(?<![A-Za-z])(?:lead|manager|director|consultant|pharmacist|gp|nurse|matron|chair(?:man"
    r"|woman|person)?|sponsor|officer|co-?ordinator|head|chief|clinician|physician|surgeon"
    r"|registrar|therapist|physio(?:therapist)?|midwife|analyst|owner|executive|ceo|cfo|cio|ccio"
    r"|cnio|cmo|sro|champion|commissioner|fellow|advis[eo]r|secretary|administrator"
    r"|receptionist|practitioner|dietitian|paramedic|guardian|caldicott|contact|speaker"
    r"|presenter|author|colleague|representative|rep|liaison|principal|founder|lecturer"
    r"|researcher|investigator|partner|partners|engineer|developer|designer|scientist"
    r"|specialist|convenor|facilitator|mentor|coach|trainer|governor|trustee|member|staff"
    r"|team)(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
_ROLE_WINDOW = 40
_CAPITALISED_RE = re.compile(r"(?<![A-Za-z])[A-Z][a-z][A-Za-z'-]*", re.ASCII)
# Capitalised words that are not names: sentence openers, calendar words and the vocabulary of
# NHS planning text. A sentence whose only capitalised words are these (or acronyms) holds no
# name, so Presidio is not asked.
_COMMON_CAPITALISED = frozenset(
    """
    the a an we our i it its in on at for from to this that these those please update note re
    thanks thank audit referral referrals patient patients service services copied flagging quick
    as if when where what why how who yes no baseline between call room ward bay practice clinic
    programme survey workshop report go and but or so also after before during since until by
    with without one two three four five six seven eight nine ten all any some each every most
    many few more less there here then now today yesterday tomorrow last next first second third
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december spring summer autumn winter hospital
    discharge discharged admitted admission aged born lives living resident carer carers client
    case cases review reviews data pathway pathways waiting list lists team teams target targets
    outcome outcomes problem statement value proposition stage draft how might primary secondary
    community care health social local national regional general medical clinical lead leads
    manager consultant pharmacist nurse doctor staff partner partners partnership company
    companies is was are were has have had be been will would can could should may might must
    not never do does did our your their his her my me us them they he she you yesterday's
    background context summary action actions next steps risk risks benefit benefits cost costs
    aggregate figures figure use using only note notes example examples tip tips source sources
    evidence measure measures scope risks value values gain gains pain pains job jobs stroke
    """.split()
)
_LEADING_WORD_RE = re.compile(
    r"(?:patient|the|a|an|one|our|my|resident|client|carer|service user|dear|hi|hello)[ ,:]+",
    re.ASCII | re.IGNORECASE,
)

# Companies a partnership coach hears about constantly, which NER models often tag as people.
# Single words here are distinctive company names; ambiguous ones (Lilly) are listed as phrases.
ORGANISATIONS = frozenset(
    s.lower()
    for s in """
    Pfizer Bayer GSK GlaxoSmithKline AstraZeneca Novartis Roche Sanofi MSD Merck Takeda Amgen
    Janssen AbbVie Teva Viatris Gilead Biogen BMS Moderna BioNTech Astellas Daiichi Sankyo Eisai
    Otsuka Servier Ipsen Lundbeck UCB Grifols Chiesi Menarini Mundipharma Napp Sandoz Mylan
    Zentiva Allergan Medtronic Siemens Philips Healthineers Microsoft Google DeepMind Amazon AWS
    Apple IBM Oracle Cerner EMIS TPP SystmOne Babylon Accenture Deloitte KPMG PwC Capita Serco
    Palantir Boots Walgreens Optum Bupa Nuffield Spire Huma Accurx Livi Kheiron Boehringer
    Ingelheim Novo Nordisk Vertex Regeneron Alnylam Galderma Leo Orion Pharmacosmos Kyowa Kirin
    Shionogi Bristol-Myers Squibb Genentech Abbott Baxter Stryker Smith+Nephew Convatec Coloplast
    Dexcom Insulet Ypsomed Omnipod Fujifilm Canon Olympus Unilever Tesco Sainsbury Asda Vodafone
    BT Ernst Young McKinsey Bain Optimity Cinapsis Feebris Doccla Luscii Patchs eConsult Ardens
    """.split()
)
_ORGANISATION_PHRASES = ("eli lilly", "novo nordisk", "johnson & johnson", "smith & nephew")
_ORGANISATION_WORDS = frozenset(
    """
    nhs trust trusts icb icbs ics ccg pcn council councils hospital hospitals infirmary
    university college foundation institute surgery practice medical centre center clinic health
    healthcare care ltd limited plc inc llp group partnership network alliance pharma
    pharmaceuticals therapeutics labs laboratories digital technologies technology solutions
    services agency department ministry england scotland wales commission society association
    charity royal board authority borough county city district unit ward team programme
    academy consortium federation hub company corporation holdings diagnostics biotech
    """.split()
)
_NOT_NAMES = _COMMON_CAPITALISED | ORGANISATIONS | _ORGANISATION_WORDS


def patient_names(text: str, taken: list[Candidate]) -> list[Candidate]:
    """Spans of the view `text` that are patients' names, outside spans already `taken`."""
    if not re.search(r"[A-Z][a-z]|[A-Z](?= |$)", text):
        return []
    found: list[Candidate] = []
    for start, end in _name_spans(text):
        if any(t.start < end and start < t.end for t in taken):
            continue
        if _is_patient(text, start, end):
            found.append(Candidate("name", start, end))
    return found


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Titled names plus Presidio's PERSON entities (when a cue is present), merged."""
    spans = [m.span() for m in _TITLED_NAME_RE.finditer(text) if _plausible_titled(m)]
    for match in _CUED_NAME_RE.finditer(text):
        start = _skip_leading_words(text, *match.span("name"))
        if start < match.end("name") and _plausible_person(text[start : match.end("name")]):
            spans.append((start, match.end("name")))
    for lo, hi in _sentences_worth_analysing(text):
        for s, e in presidio_engine.person_spans(text[lo:hi]):
            s = _skip_leading_words(text, lo + s, lo + e)
            if s < lo + e and _plausible_person(text[s : lo + e]):
                spans.append((s, lo + e))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _sentences_worth_analysing(text: str) -> list[tuple[int, int]]:
    """Sentences with a patient cue and a capitalised word that could be a name.

    Only these can hold a name the policy would redact, so only these go to Presidio: most
    coaching messages have none, and a long draft sends one or two short sentences, not itself.
    """
    found: list[tuple[int, int]] = []
    lo = 0
    for end in [*(m.start() for m in _SENTENCE_END_RE.finditer(text)), len(text)]:
        hi = min(len(text), end + 1)
        if (_STRONG_CUE_RE.search(text, lo, hi) or _WEAK_CUE_RE.search(text, lo, hi)) and any(
            word.lower() not in _NOT_NAMES for word in _CAPITALISED_RE.findall(text, lo, hi)
        ):
            found.append((lo, hi))
        lo = hi
    return found


def _skip_leading_words(text: str, start: int, end: int) -> int:
    """Move `start` past words NER sometimes folds into a name ("Patient Jane" -> "Jane")."""
    while (match := _LEADING_WORD_RE.match(text, start, end)) is not None:
        start = match.end()
    return start


def _plausible_titled(match: re.Match[str]) -> bool:
    """A title followed by a name, not by an acronym or an organisation ("Dr Foster Ltd")."""
    words = match.group("name").split()
    if all(len(w) > 1 and w.isupper() for w in words):
        return False
    return not any(w.lower() in _ORGANISATION_WORDS or w.lower() in ORGANISATIONS for w in words)


def _plausible_person(span: str) -> bool:
    """Presidio's PERSON span, unless it is an organisation, an acronym or not capitalised."""
    lowered = span.lower()
    if any(phrase in lowered for phrase in _ORGANISATION_PHRASES):
        return False
    words = re.findall(r"[A-Za-z][A-Za-z'+-]*", span)
    if not words or not any(w[0].isupper() for w in words):
        return False
    if all(len(w) > 1 and w.isupper() for w in words):
        return False
    return not any(w.lower() in ORGANISATIONS or w.lower() in _ORGANISATION_WORDS for w in words)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence (or line) holding ``text[start:end]``."""
    lo = 0
    for match in _SENTENCE_END_RE.finditer(text, 0, start):
        lo = match.end()
    after = _SENTENCE_END_RE.search(text, end)
    return lo, (after.start() if after else len(text))


def _is_patient(text: str, start: int, end: int) -> bool:
    lo, hi = _sentence(text, start, end)
    if _STRONG_CUE_RE.search(text, lo, hi):
        return True
    name = text[start:end]
    titled = _TITLED_NAME_RE.match(name)
    if titled and titled.group("title") not in _PATIENT_TITLE_SET:
        return False  # staff title
    near = text[max(lo, start - _ROLE_WINDOW) : start] + " " + text[end : min(hi, end + 20)]
    if _ROLE_RE.search(near):
        return False
    if titled or _PATIENT_TITLE_RE.match(text, max(lo, start - 5), start):
        return True
    return bool(_WEAK_CUE_RE.search(text, lo, hi))
