"""People's names, removed by policy: a problem statement never needs a patient's name.

A problem statement legitimately names people in their role (the accountable lead, the
pharmacist running the clinic, the company's partnership manager); it never needs the name of a
patient or a member of the public. So the policy is the other way round from a cue list: a
personal name is removed unless its clause names the person in a staff role.

1. a clinical patient cue in the clause (admitted, discharged, born, aged 82, DOB, an NHS number
   or a removed one) always wins: "Dr Patel, admitted on Monday" is a patient;
2. otherwise a staff title (Dr, Prof, Nurse ...) or a role attached to the name ("accountable
   lead: Dr Patel", "our lead pharmacist, Priya Shah", "Mr Ali, the practice manager") keeps it;
   a role that is not the person's ("whose GP is", "a retired engineer") does not;
3. otherwise the name is removed.

Names come from spaCy's PERSON entities (through the pipeline Presidio loads), a pattern for a
title followed by a name (capitals, lower case, initials: "MRS DOROTHY PILKINGTON", "mrs
pilkington", "Mrs E. J. Thornton"), the EHR style "OYELARAN, Folasade", and capitalised words
right before a clinical cue. Accented letters are read without their accents, so "Zoë Müller" is
matched like "Zoe Muller". Organisations, places and products are never names: spaCy's ORG, GPE
and FAC entities, an allow-list of companies, and NHS place words (ward, unit, practice,
surgery, centre ...) right after a name ("Millbrook, St Anne's and Canal Side wards"). The
spaCy model only runs on a sentence that could hold a name (a title, two capitalised words in a
row, a patient cue here or in the neighbouring sentence); most coaching messages cost nothing.
"""

from __future__ import annotations

import re
import unicodedata

from bot.privacy import presidio_engine
from bot.privacy.recognisers import Candidate

__all__ = ["ORGANISATIONS", "patient_names"]

_PATIENT_TITLES = r"Mrs|Mr|Ms|Miss|Mx|Master"
_STAFF_TITLES = r"Dr|Doctor|Prof|Professor|Sister|Nurse|Matron|Cllr|Councillor|Rev|Revd|Sir|Dame"
_NAME_TOKEN = r"[A-Z](?:[A-Za-z]*(?:['-][A-Za-z]+)*)?"
_INITIAL = r"[A-Z]\.?"
_TITLED_NAME_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?P<title>(?i:{_PATIENT_TITLES})|{_STAFF_TITLES}|(?:{_STAFF_TITLES.upper()}))"
    rf"\.? (?P<name>(?:{_INITIAL} ?){{0,3}}{_NAME_TOKEN}(?: {_NAME_TOKEN}){{0,2}})(?![A-Za-z])",
    re.ASCII,
)
# Lower case after a lower-case personal title: "mrs pilkington", "mr harold jenkins". "miss"
# and "master" are left out: "patients miss appointments" is not a title.
_LOWER_TITLED_RE = re.compile(
    r"(?<![A-Za-z0-9])(?P<title>mrs|mr|ms|mx)\.? (?P<name>[a-z][a-z'-]+"
    r"(?: (?!(?:about|after|again|and|as|at|but|by|called|came|did|for|from|had|has|her|his|in"
    r"|is|on|or|rang|said|says|saw|to|today|was|who|with|yesterday)(?![a-z]))[a-z][a-z'-]+)?)"
    r"(?![A-Za-z])",
    re.ASCII,
)
# "OYELARAN, Folasade": a surname in capitals, a comma, then a forename, as records print it.
_SURNAME_FIRST_RE = re.compile(
    r"(?<![A-Za-z])(?P<name>[A-Z]{3,}(?:['-][A-Z]{2,})?, [A-Z][a-z][A-Za-z'-]*"
    r"(?: [A-Z][a-z][A-Za-z'-]*)?)(?![A-Za-z])",
    re.ASCII,
)
# A name in a form field or an e-mail header: "Surname: Holt", "Forename(s): Reginald James",
# "pt: eileen marsh", "From: Dave W <dave@example.org>". The label says what the value is, so
# capitals do not matter; the value runs to the end of the line or to a comma.
_FIELD_NAME_RE = re.compile(
    r"(?<![A-Za-z])(?:surname|family name|last name|forenames?(?:\(s\))?|first names?|given names?"
    r"|full name|patient(?:'s)? name|pt name|name of patient|pt|patient|client|resident"
    r"|service user"
    r"|next of kin|nok)[ ]?[:=][ ]?(?P<name>[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'.-]*){0,3})",
    re.ASCII | re.IGNORECASE,
)
_SURNAME_WORD_RE = re.compile(r"(?<![A-Za-z])surname (?P<name>[A-Z][A-Za-z'-]+)", re.ASCII)
_HEADER_NAME_RE = re.compile(
    r"(?m)^(?:from|to|cc|sender)[ ]?:[ ]?(?P<name>[A-Z][A-Za-z'-]*(?: [A-Z][A-Za-z'.-]*){0,3})"
    r" ?<",
    re.ASCII | re.IGNORECASE,
)
_ACRONYMS = frozenset(
    """
    nhs icb ics ods dcb nice cqc mhra pcn gp gps ccg nhse nhsx ahsn hee phe ukhsa cmo sro mdt ae
    aande ed icu itu ccu hdu opd amu sdec fop arrs qof cqu cquin kpi kpis roi dpia dtac dspt
    ig uk usa eu who oecd api ehr epr emr pas mrn dob ni chi bmi hba1c copd chd ckd afib chf
    """.split()
)
# Backstop for what a small NER model misses ("Nkechi Davies was admitted"): two or three
# capitalised words right before a strong cue, or right after "the patient,".
_CUED_NAME_RE = re.compile(
    rf"(?:(?<![A-Za-z])(?:patient|service user|resident),? )?"
    rf"(?<![A-Za-z'-])(?P<name>{_NAME_TOKEN}(?: {_NAME_TOKEN}){{1,2}})"
    r"(?=,? (?:who |was |is |has been |had been |\()?(?:re-?admitted|admitted|discharged|lives"
    r"|living|aged?|DOB|D\.O\.B|born|died|needs|pt\)|patient\))(?![A-Za-z]))",
    re.ASCII,
)
_PATIENT_TITLE_SET = frozenset(_PATIENT_TITLES.split("|"))
_PATIENT_TITLE_RE = re.compile(rf"(?:{_PATIENT_TITLES})\.?(?= )", re.ASCII)

# Sentence ends: . ! ? ; or a line break, but not the dot of an abbreviated title or of an
# initial ("J. Whitfield": the name goes on).
_SENTENCE_END_RE = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bMx)(?<!\bSt)(?<!\bProf)(?<!\b[A-Z])"
    r"[.!?;](?= |$)|\n"
)

# Neighbouring capitalised words: "Priya Shah". Two in a row make a sentence worth asking spaCy.
_TWO_CAPITALISED_RE = re.compile(r"(?<![A-Za-z])[A-Z][a-z'-]+(?: [A-Z][a-z][A-Za-z'-]*)+", re.ASCII)
# Clinical cues: they make the person a patient even when a staff title or role is near.
_CLINICAL_CUE_RE = re.compile(
    r"(?<![A-Za-z])(?:re-?admitted|admitted|admission|discharged|d\.?o\.?b|date of birth|born"
    r"|aged? [0-9]|[0-9]+[ -]?(?:years?|yrs?)[ -]?old|[0-9]+ ?y/?o|nhs (?:no|number)"
    r"|hospital number|mrn|diagnosed|deceased|died|next of kin|bed [0-9]+|bay [0-9]+"
    r"|\[(?:NHS number|CHI number|NI number|hospital number|address|postcode|date of birth)"
    r" removed\])(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
_STRONG_CUE_RE = re.compile(
    r"(?<![A-Za-z])(?:re-?admitted|admitted|admission|discharged|lives|living|resides|resident of"
    r"|home address|address|d\.?o\.?b|date of birth|born|aged? [0-9]|[0-9]+[ -]?(?:years?|yrs?)"
    r"[ -]?old|[0-9]+ ?y/?o|nhs (?:no|number)|hospital number|mrn|diagnosed|deceased|died"
    r"|next of kin|bed [0-9]+|bay [0-9]+|surname|forenames?"
    r"|(?:his|her|their) (?:son|daughter|wife|husband|partner|carer|mother"
    r"|father)"
    r"|\[(?:NHS number|CHI number|NI number|postcode|date of birth) removed\])(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
# The same cues without the guard's own placeholders, for choosing what spaCy reads: once a
# number is removed the sentence is read again, and a placeholder alone (no name-like words in
# a row, no title) should not cost a second model call.
_GATE_CUE_RE = re.compile(
    _STRONG_CUE_RE.pattern.replace(
        r"|\[(?:NHS number|CHI number|NI number|postcode|date of birth) removed\]", ""
    ),
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
    r"|team|sister|clerk|porter|chaplain|volunteer|worker|assistant|hca|buyer|accountant"
    r"|librarian|steward|technician|technologist|radiographer|sonographer|optometrist"
    r"|audiologist|dentist|hygienist|podiatrist|psychologist|psychiatrist|social worker"
    r"|pharmacy|finance|estates|procurement|comms|communications|governance|informatics"
    r"|operations|safeguarding|commissioning|analytics)(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
_ROLE_WORDS = _ROLE_RE.pattern[len("(?<![A-Za-z])") : -len("(?![A-Za-z])")]
# A role right before the name, maybe "at Novartis", then punctuation or "is": "our lead
# pharmacist, Priya Shah", "Partner lead at Novartis, Keeley Oduya", "GP partner Dr Rao".
_ROLE_BEFORE_RE = re.compile(
    rf"(?<![A-Za-z]){_ROLE_WORDS}s?(?: (?:at|from|for|in|of|with) [A-Z][A-Za-z&'-]*"
    r"(?: [A-Z][A-Za-z&'-]*){0,3})?[ ,:;(\-]*(?:(?:is|was|are) )?$",
    re.ASCII | re.IGNORECASE,
)
# A role in apposition after the name: ", the practice manager", " (clinical lead)", " - CEO",
# " is our lead pharmacist", ", consultant surgeon,".
_ROLE_AFTER_RE = re.compile(
    r"^(?:,? ?[(,\-] ?|,? (?:is|was|as|who is) )(?:(?:the|our|their|a|an|its|one of (?:the|our)) )?"
    rf"(?:[A-Za-z&'/-]+ ){{0,3}}{_ROLE_WORDS}s?(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
# Doing a staff job is a role too: "chaired by Jane Harrison", "led by Sam Okoye".
_ROLE_VERB_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(?:chaired|led|run|presented|hosted|facilitated|sponsored|signed off|approved"
    r"|authored|written|delivered|commissioned|funded|coordinated|co-ordinated|managed) by $",
    re.ASCII | re.IGNORECASE,
)
# Someone "from Bayer" or "at Leeds Teaching Hospitals NHS Trust" is there for their employer.
_AFFILIATION_RE = re.compile(
    r"^,? (?P<word>from|at|of|with|representing|on behalf of) (?:the )?"
    r"(?P<org>[A-Z][A-Za-z&+'-]*)",
    re.ASCII,
)
# Words that make a nearby role someone else's, or no longer theirs: "whose GP", "a retired
# engineer", "her carer".
_NOT_THEIR_ROLE_RE = re.compile(
    r"(?<![A-Za-z])(?:whose|his|her|their|my|retired|former|ex|used to be|husband|wife|dad|mum"
    r"|grandson|granddaughter|neighbour|friend"
    r"|son|daughter|mother|father)(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
# NHS and civic place words: a capitalised name right before one is a place ("St Anne's ward",
# "Millbrook, St Anne's and Canal Side wards", "Beech House surgery").
_PLACE_WORD_RE = re.compile(
    r"^(?:(?:,| and| &| or)? [A-Z][A-Za-z'-]*)*(?: and [A-Z][A-Za-z'-]*)* (?i:wards?|units?"
    r"|practices?|surgery|surgeries|centres?|centers?|clinics?|hospitals?|house|lodge|court"
    r"|building|wing|suite|hub|pcn|icb|trust|council|school|college|library|station|road"
    r"|street|park|estate|ward|site|campus|medical|health|primary care|community|hospice"
    r"|pharmacy|pharmacies|partnership|network|team|programme|foundation)(?![A-Za-z])",
    re.ASCII,
)
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
_ORGANISATION_PHRASES = (
    "eli lilly", "novo nordisk", "johnson & johnson", "smith & nephew",
    # health charities partnerships name all the time, whose names read like people's
    "sue ryder", "marie curie", "age uk", "carers uk", "st john ambulance",
    "diabetes uk", "alzheimer's society", "macmillan",
)  # fmt: skip
_ORGANISATION_WORDS = frozenset(
    """
    nhs trust trusts icb icbs ics ccg pcn council councils hospital hospitals infirmary
    university college foundation institute surgery practice medical centre center clinic health
    healthcare care ltd limited plc inc llp group partnership network alliance pharma
    pharmaceuticals therapeutics labs laboratories digital technologies technology solutions
    services agency department ministry england scotland wales commission society association
    charity royal board authority borough county city district unit ward team programme
    academy consortium federation hub company corporation holdings diagnostics biotech
    hospice hospices charity
    """.split()
)
_NOT_NAMES = _COMMON_CAPITALISED | ORGANISATIONS | _ORGANISATION_WORDS
# Word endings no personal name has: specialties, services and abstract nouns ("Audiology",
# "Diagnostics", "Prevention", "Management"). A capitalised pair with one is no person.
_NOT_A_NAME_ENDING = re.compile(r"(?:ology|iatry|ics|ment|tion|sion|ness|ship|ity)$")


def _not_a_name(word: str) -> bool:
    lowered = word.lower()
    return lowered in _NOT_NAMES or _NOT_A_NAME_ENDING.search(lowered) is not None


def _without_accents(text: str) -> str:
    """`text` with each accented letter replaced by its base letter, one character for one."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0] if not ch.isascii() else ch
        out.append(base if base.isascii() and base.isalpha() else ch)
    return "".join(out)


def patient_names(text: str, taken: list[Candidate]) -> list[Candidate]:
    """Spans of the view `text` that are people's names to remove, outside spans already `taken`.

    (The name is historical: under the policy these are the names of anyone not named in a
    staff role, which in coaching messages means patients and members of the public.)
    """
    text = _without_accents(text)
    if not re.search(r"[A-Z][a-z]|[A-Z](?= |$)|(?<![a-z])(?:mrs?|ms|mx)\.? [a-z]", text):
        return []
    found: list[Candidate] = []
    spans, places = _name_spans(text)
    for start, end in spans:
        if any(t.start < end and start < t.end for t in taken):
            continue
        if _is_patient(text, start, end, places):
            found.append(Candidate("name", start, end))
    return found


def _name_spans(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Titled names plus Presidio's PERSON entities (when a cue is present), merged."""
    spans = [m.span() for m in _TITLED_NAME_RE.finditer(text) if _plausible_titled(m)]
    spans += [m.span() for m in _LOWER_TITLED_RE.finditer(text) if _plausible_lower(m)]
    for match in _CUED_NAME_RE.finditer(text):
        start = _skip_leading_words(text, *match.span("name"))
        if start < match.end("name") and _plausible_person(text[start : match.end("name")]):
            spans.append((start, match.end("name")))
    for pattern in (_FIELD_NAME_RE, _SURNAME_WORD_RE, _HEADER_NAME_RE):
        for match in pattern.finditer(text):
            words = match.group("name").split()
            while words and words[-1].lower().strip(".") in _NOT_NAMES | _LOWER_NOT_NAMES:
                words.pop()  # "pt: eileen marsh was seen": the name stops at a common word
            if words and not all(w.lower() in _NOT_NAMES for w in words):
                start = match.start("name")
                spans.append((start, start + len(" ".join(words))))
    surname_first = [
        m.span() for m in _SURNAME_FIRST_RE.finditer(text) if _plausible_surname_first(m)
    ]
    places: list[tuple[int, int]] = []

    def cued(lo: int, hi: int) -> bool:
        # A lone word spaCy calls a person ("Clyde" in "Greater Glasgow and Clyde") is more often
        # a place or a product: it counts only next to a patient cue.
        lo = max(0, lo - 200)
        hi = min(len(text), hi + 200)
        return bool(_STRONG_CUE_RE.search(text, lo, hi) or _WEAK_CUE_RE.search(text, lo, hi))

    for lo, hi in _sentences_worth_analysing(text):
        while lo < hi and text[lo].isspace():
            lo += 1  # spaCy reads a sentence's first word after a space as a name more often
        sentence = text[lo:hi]
        letters = [c for c in sentence if c.isalpha()]
        if len(letters) > 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters):
            sentence = sentence.title()  # "MAUREEN BRADSHAW CAME IN": the model reads case
        for s, e, label in presidio_engine.entity_spans(sentence):
            while e > s and sentence[e - 1].isspace():
                e -= 1  # an entity can run onto the line break after it
            if label != "PERSON":
                places.append((lo + s, lo + e))
                continue
            s = _skip_leading_words(text, lo + s, lo + e)
            found = sentence[s - lo : e]  # as read (title-cased when the sentence shouts)
            if s < lo + e and _plausible_person(found) and (" " in found or cued(lo, hi)):
                spans.append((s, lo + e))
    # "SMITH, Jane" has no other evidence than its shape: not when spaCy reads it as a place.
    spans += [(s, e) for s, e in surname_first if not any(ps <= s and e <= pe for ps, pe in places)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged, places


def _sentences_worth_analysing(text: str) -> list[tuple[int, int]]:
    """Sentences that could hold a person's name, to be read by spaCy.

    A sentence qualifies when it has a capitalised word that is not a common one and either a
    patient cue (in it or in the sentence before or after: "Spoke to Dorothy Pilkington. The
    patient was ..."), a personal title, or two capitalised words in a row. Most coaching
    messages have none, and a long draft sends a few short sentences, not itself.
    """
    bounds: list[tuple[int, int]] = []
    lo = 0
    for end in [*(m.start() for m in _SENTENCE_END_RE.finditer(text)), len(text)]:
        hi = min(len(text), end + 1)
        bounds.append((lo, hi))
        lo = hi
    cued = [
        bool(_GATE_CUE_RE.search(text, lo, hi) or _WEAK_CUE_RE.search(text, lo, hi))
        for lo, hi in bounds
    ]
    found: list[tuple[int, int]] = []
    for index, (lo, hi) in enumerate(bounds):
        letters = [c for c in text[lo:hi] if c.isalpha()]
        shouting = len(letters) > 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters)
        if shouting:
            found.append((lo, hi))  # capitals hide names from every other test
            continue
        if not any(not _not_a_name(word) for word in _CAPITALISED_RE.findall(text, lo, hi)):
            continue
        near_cue = any(cued[max(0, index - 1) : index + 2])
        # a run of capitalised words is a person only if no word of it is an organisation's,
        # a place's or a common word: "Leeds Teaching Hospitals" is not, "Priya Shah" may be
        pair = any(
            not any(_not_a_name(w) for w in m.group(0).split())
            for m in _TWO_CAPITALISED_RE.finditer(text, lo, hi)
        )
        if near_cue or pair or _PATIENT_TITLE_RE.search(text, lo, hi):
            found.append((lo, hi))
    return found


def _skip_leading_words(text: str, start: int, end: int) -> int:
    """Move `start` past words NER sometimes folds into a name ("Patient Jane" -> "Jane")."""
    while (match := _LEADING_WORD_RE.match(text, start, end)) is not None:
        start = match.end()
    return start


def _plausible_titled(match: re.Match[str]) -> bool:
    """A title followed by a name, not by an acronym or an organisation ("Dr Foster Ltd").

    A name in capitals counts ("MRS DOROTHY PILKINGTON") when its words are not acronyms.
    """
    words = [w.strip(".") for w in match.group("name").split()]
    title = match.group("title")
    if len(title) > 1 and title.isupper() and not all(w.isupper() for w in words):
        return False  # "MS Teams", "DR Congo": a capitalised title with a name that is not
    if all(len(w) > 1 and w.isupper() for w in words) and (
        any(w.lower() in _ACRONYMS or len(w) < 3 for w in words)
    ):
        return False
    return not any(w.lower() in _ORGANISATION_WORDS or w.lower() in ORGANISATIONS for w in words)


def _plausible_lower(match: re.Match[str]) -> bool:
    """ "mrs pilkington", not "ms teams" or "mr and mrs": no common or organisation word."""
    return not any(w in _NOT_NAMES or w in _LOWER_NOT_NAMES for w in match.group("name").split())


_LOWER_NOT_NAMES = frozenset("teams word excel office and or to from at of in on is was".split())


def _plausible_surname_first(match: re.Match[str]) -> bool:
    """ "OYELARAN, Folasade", not "NICE, Public Health" or "ICB, Trust"."""
    surname, forename = match.group("name").split(", ", 1)
    words = [surname.lower(), *forename.lower().split()]
    return surname.lower() not in _ACRONYMS and not any(w in _NOT_NAMES for w in words)


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


def _is_patient(
    text: str, start: int, end: int, places: list[tuple[int, int]] | None = None
) -> bool:
    """Whether the name at ``text[start:end]`` is to be removed under the policy (see above).

    `places` are the organisations and places spaCy found, for "Jane Shah from Takeda".
    """
    lo, hi = _sentence(text, start, end)
    if _CLINICAL_CUE_RE.search(text, lo, hi):
        return True
    name = text[start:end]
    if _ROLE_VERB_BEFORE_RE.search(text, max(lo, start - 30), start):
        return False
    affiliation = _AFFILIATION_RE.match(text[end:hi])
    if affiliation is not None:
        org_at = end + affiliation.start("org")
        org = affiliation.group("org").lower()
        if org in ORGANISATIONS or org in _ORGANISATION_WORDS or org == "nhs":
            return False
        # spaCy's ORG alone is not enough after "at": "at the MDT" is a meeting, not an employer
        if affiliation.group("word") not in ("at", "with") and any(
            ps <= org_at < pe for ps, pe in places or ()
        ):
            return False
    if re.match(r"(?:St|Saint)\.? [A-Z]", name):
        return False  # a saint's name is a place: St Anne's, St Thomas'
    titled = _TITLED_NAME_RE.match(name)
    if titled and titled.group("title").capitalize() not in _PATIENT_TITLE_SET:
        return False  # staff title
    if _PLACE_WORD_RE.match(text[end:hi]):
        return False
    return not _named_in_role(text, lo, hi, start, end)


def _named_in_role(text: str, lo: int, hi: int, start: int, end: int) -> bool:
    """Whether a staff role is attached to the name: right before it or in apposition after."""
    before = text[max(lo, start - 60) : start]
    role = _ROLE_BEFORE_RE.search(before)
    if role is not None and not _NOT_THEIR_ROLE_RE.search(before[max(0, role.start() - 20) :]):
        return True
    following = text[end : min(hi, end + 60)]
    after = _ROLE_AFTER_RE.match(following)
    # "Ronald Pike (our porter Dave's dad)": the role is someone else's, the name a relative's
    return after is not None and not _NOT_THEIR_ROLE_RE.search(following[: after.end() + 20])
