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

Shapes that hold where the small model says nothing: a name with a particle ("Rhys ap Gwyn"),
"SURNAME Forename" on a line with another identifier, the name fields of a pasted record row
(:func:`_record_names`), a lone forename the model tags as a proper noun in a sentence with a
clinical word, two capitalised words in a sentence about a patient, and a model PERSON whose
surname is also a place word when a patient noun or an age sits beside it ("our patient Florence
Ward, 84"). "Not English" means absent from the model's own word index
(:func:`presidio_engine.english_words`): surnames like "Oyelaran" are, "heart failure" is not.
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
# A name with a lower-case particle between its parts: "Rhys ap Gwyn", "Ludwig van Beethoven",
# "Omar bin Said". Romance particles (de, da, del) are left to the model: "Costa del Sol" and
# "Rio de Janeiro" are written the same way.
_PARTICLE_NAME_RE = re.compile(
    r"(?<![A-Za-z'-])(?P<name>[A-Z][a-z][A-Za-z'-]* (?:ap|ab|ferch|verch|van|von|bin|binti|bint"
    r"|ibn)(?: (?:der|den))? [A-Z][a-z][A-Za-z'-]*)(?![A-Za-z])",
    re.ASCII,
)
# A surname in capitals and then a forename, as a record or a spreadsheet prints them when the
# comma or the cell boundary is lost: "KOWALSKI Tomasz". Weaker than with its comma ("COVID
# Recovery" has the same shape), so it counts only on a line that holds another identifier or a
# clinical cue.
_SURNAME_CAPITALS_RE = re.compile(
    r"(?<![A-Za-z])(?P<name>[A-Z]{3,}(?:['-][A-Z]{2,})? [A-Z][a-z][A-Za-z'-]*)(?![A-Za-z])",
    re.ASCII,
)
# Fields of a pasted record row: "grace oyelaran, 29/04/1990, postcode LS11 5PQ, asthma".
_FIELD_SEPARATOR_RE = re.compile(r" ?[,;|] ?")
_FIELD_WORDS_RE = re.compile(r"[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*){0,2}", re.ASCII)
_PLACEHOLDER_IN_LINE_RE = re.compile(
    r"\[(?:NHS number|CHI number|NI number|hospital number|address|email|phone number|postcode"
    r"|date of birth) removed\]"
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
# The clinical cues in words, without the guard's placeholders: what a sentence must say itself
# before a lone proper noun in it is read as a patient's forename.
_CLINICAL_WORDS_RE = re.compile(
    _CLINICAL_CUE_RE.pattern.split(r"|\[(?:NHS number")[0] + ")(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
_STRONG_CUE_RE = re.compile(
    r"(?<![A-Za-z])(?:re-?admitted|admitted|admission|discharged|lives|living|resides|resident of"
    r"|home address|address|d\.?o\.?b|date of birth|born"
    # an age, not an age band: "aged 84" is a person, "aged 16 to 24" or "aged 65+" a population
    r"|aged? [0-9]+(?![0-9])(?! ?(?:to|-|–|\+|and over|or over|plus|and above)(?![A-Za-z]))"
    r"|[0-9]+[ -]?(?:years?|yrs?)"
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
    r"(?<![A-Za-z])(?:patient(?:'s)?|service user|resident|carer|client|case [0-9]+|pt"
    r"|(?:been|is|was|still) on the (?:waiting )?list)"
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
# A role after a dash that runs straight into a verb is the subject of a new clause, not the
# name's apposition: "Ivy Thornton – ward clerk says she's been on the list since March".
_ROLE_THEN_VERB_RE = re.compile(
    r"^ (?:says|said|told|tells|thinks|reports|reported|mentioned|asked|confirmed|rang|called"
    r"|wrote|emailed|noted|flagged|explained)(?![A-Za-z])",
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
# Right beside a name, these make it a person whatever its words mean elsewhere ("our patient
# Florence Ward, 84,": "Ward" is a surname here, not a ward): a patient noun just before, or an
# age in apposition just after.
_PERSON_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(?:patient|service user|resident|client|lady|gentleman|man|woman|mum|dad"
    r"|husband|wife|son|daughter)[ ,:]*$",
    re.ASCII | re.IGNORECASE,
)
_AGE_AFTER_RE = re.compile(
    r"^(?:,? ?\(|, ?)(?:aged? )?[0-9]{1,3}(?: ?(?:y/?o|yrs?|years?))?[,)]?(?![0-9/.:%])"
)
# A lone word right after one of these is where people are, not who ("young people living in
# Tamford", "clinics across Wexley"): a town the small model calls a person is kept.
_AFTER_PLACE_PREPOSITION_RE = re.compile(
    r"(?<![A-Za-z])(?:in|at|across|around|near|throughout|within) $", re.ASCII | re.IGNORECASE
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
    Healthwatch
    """.split()
)
_ORGANISATION_PHRASES = (
    "eli lilly", "novo nordisk", "johnson & johnson", "smith & nephew",
    # health charities partnerships name all the time, whose names read like people's
    "sue ryder", "marie curie", "age uk", "carers uk", "st john ambulance",
    "diabetes uk", "alzheimer's society", "macmillan", "healthwatch",
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
# "Diagnostics", "Prevention", "Management"), and the WHO's international nonproprietary name
# stems that end a medicine's name ("Apixaban", "Ramipril", "Atorvastatin", "Adalimumab"): a
# drug a patient is "on" is clinical context, never the patient. A capitalised pair with one is
# no person.
_NOT_A_NAME_ENDING = re.compile(
    r"(?:ology|iatry|ics|ment|tion|sion|ness|ship|ity"
    r"|xaban|parin|pril|sartan|olol|statin|[xz]umab|ximab|gliptin|gliflozin|glutide|prazole"
    r"|lukast|dipine|cillin|mycin|floxacin|conazole|tinib|semide|thiazide|profen|tidine"
    r"|oxetine|triptan|formin|gabalin|dronate)$"
)


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
    records = _record_names(text, taken)
    if not records and not re.search(
        r"[A-Z][a-z]|[A-Z](?= |$)|(?<![a-z])(?:mrs?|ms|mx)\.? [a-z]", text
    ):
        return []
    found: list[Candidate] = []
    spans, places = _name_spans(text, taken)
    spans = _merge([*spans, *records])
    for start, end in spans:
        if any(t.start < end and start < t.end for t in taken):
            continue
        if _is_patient(text, start, end, places):
            found.append(Candidate("name", start, end))
    return found


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _line_has_identifier(text: str, start: int, end: int, taken: list[Candidate]) -> bool:
    """Whether the line around ``text[start:end]`` holds another identifier (found in this pass
    or already replaced by its placeholder) or a clinical cue: then it is a record, not prose."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    return (
        any(t.kind not in ("name", "possible_nhs_number") and lo <= t.start < hi for t in taken)
        or _PLACEHOLDER_IN_LINE_RE.search(text, lo, hi) is not None
        or _CLINICAL_CUE_RE.search(text, lo, hi) is not None
    )


def _record_names(text: str, taken: list[Candidate]) -> list[tuple[int, int]]:
    """Names in the fields of a pasted record row that holds another identifier.

    A line of three or more comma, semicolon or bar separated fields with an identifier in it is
    a row of patient data, and a field of two or three words only (no digits, no label) is its
    name when the words are capitalised and not common, or, in lower case, when its last word is
    in no English dictionary ("grace oyelaran", not "heart failure"). Single-word fields count in
    a pair ("KOWALSKI; Tomasz") when neither word is English; three or more in a row are a list
    (sites, drugs, wards), not a name. A field the model reads as a place or an organisation is
    kept ("Chapeltown | Harehills").
    """
    found: list[tuple[int, int]] = []
    lo = 0
    for line in text.split("\n"):
        hi = lo + len(line)
        if line.count(",") + line.count(";") + line.count("|") >= 2 and _line_has_identifier(
            text, lo, hi, taken
        ):
            fields: list[tuple[int, int]] = []
            cursor = lo
            for sep in [*_FIELD_SEPARATOR_RE.finditer(text, lo, hi), None]:
                stop = sep.start() if sep else hi
                fields.append((cursor, stop))
                cursor = sep.end() if sep else hi
            words = [_field_words(text[s:e]) for s, e in fields]
            singles = [w is not None and len(w) == 1 for w in words]
            names = [
                span
                for index, (span, field) in enumerate(zip(fields, words, strict=True))
                if field is not None and (len(field) > 1 or _in_a_pair(singles, index))
            ]
            if names:
                places = [
                    (lo + s, lo + e)
                    for s, e, label in presidio_engine.entity_spans(line, tags=False)
                    if label in presidio_engine.PLACE_LABELS
                ]
                found += [
                    (s, e) for s, e in names if not any(ps < e and s < pe for ps, pe in places)
                ]
        lo = hi + 1
    return found


def _in_a_pair(singles: list[bool], index: int) -> bool:
    """Whether field `index` is one of exactly two single-word fields side by side."""
    run_start = run_end = index
    while run_start > 0 and singles[run_start - 1]:
        run_start -= 1
    while run_end + 1 < len(singles) and singles[run_end + 1]:
        run_end += 1
    return singles[index] and run_end - run_start == 1


def _field_words(field: str) -> list[str] | None:
    """The words of a record field that reads as a name (see :func:`_record_names`), or None."""
    field = field.strip()
    if _FIELD_WORDS_RE.fullmatch(field) is None:
        return None
    words = field.split()
    lowered = [w.lower() for w in words]
    if any(w in _NOT_NAMES or w in _LOWER_NOT_NAMES or w in _ACRONYMS for w in lowered):
        return None
    if any(_NOT_A_NAME_ENDING.search(w) for w in lowered) or min(map(len, words)) < 2:
        return None
    if len(words) > 1 and all(w[0].isupper() for w in words):
        return words
    english = presidio_engine.english_words()
    if len(words) == 1:
        capitalised = words[0][0].isupper() and len(words[0]) >= 3
        return words if capitalised and not _is_english(lowered[0], english) else None
    return None if _is_english(lowered[-1], english) else words


def _is_english(word: str, english: frozenset[str]) -> bool:
    """Whether `word` or its stem (plural, past, -ing) is in the English word index."""
    stems = {word, word.removesuffix("s"), word.removesuffix("es"), word.removesuffix("ed")}
    stems |= {word.removesuffix("ing"), word.removesuffix("d")}
    return any(stem in english for stem in stems if stem)


def _name_spans(
    text: str, taken: list[Candidate]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Titled names plus Presidio's PERSON entities (when a cue is present), merged."""
    spans = [m.span() for m in _TITLED_NAME_RE.finditer(text) if _plausible_titled(m)]
    particle = [
        match.span("name")
        for match in _PARTICLE_NAME_RE.finditer(text)
        if not any(_not_a_name(w) for w in match.group("name").split()[::2])
    ]
    spans += particle
    for match in _SURNAME_CAPITALS_RE.finditer(text):
        surname, forename = match.group("name").split(" ")
        if (
            surname.lower() not in _ACRONYMS
            and not _not_a_name(surname)
            and not _not_a_name(forename)
            and _line_has_identifier(text, *match.span(), taken)
            # "ALLERGY Penicillin": two dictionary words are a heading and its entry
            and not all(
                _is_english(w.lower(), presidio_engine.english_words()) for w in (surname, forename)
            )
        ):
            spans.append(match.span("name"))
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

    sentences: list[tuple[int, int, str, bool]] = []
    for lo, hi in _sentences_worth_analysing(text):
        while lo < hi and text[lo].isspace():
            lo += 1  # spaCy reads a sentence's first word after a space as a name more often
        sentence = text[lo:hi]
        letters = [c for c in sentence if c.isalpha()]
        if len(letters) > 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters):
            sentence = sentence.title()  # "MAUREEN BRADSHAW CAME IN": the model reads case
        # proper-noun tags (three more model components) only where a lone forename counts
        clinical = _CLINICAL_WORDS_RE.search(text, lo, hi) is not None
        sentences.append((lo, hi, sentence, clinical))
    readings: dict[tuple[str, bool], tuple[tuple[int, int, str], ...]] = {}
    for tags in (False, True):
        batch = [sentence for _, _, sentence, clinical in sentences if clinical is tags]
        if batch:
            spans_each = presidio_engine.entity_spans_many(batch, tags=tags)
            readings.update(zip(((b, tags) for b in batch), spans_each, strict=True))
    for lo, hi, sentence, clinical in sentences:
        entities = readings[(sentence, clinical)]
        for s, e, label in entities:
            while e > s and (sentence[e - 1].isspace() or sentence[e - 1] in "-,;:"):
                e -= 1  # an entity can run onto the line break or the dash after it
            while s < e and not (sentence[s].isalnum() or sentence[s] in "'’"):
                s += 1  # or start on the symbol before it ("› Results" is one word, not two)
            if label == "PROPN":
                # a lone proper noun the model named nothing, in a sentence about a patient's
                # care ("Elsie (the lady in bay 3, ...)"): a forename, unless an English word
                word = sentence[s:e]
                if (
                    clinical
                    and _CAPITALISED_RE.fullmatch(word)
                    and not _not_a_name(word)
                    and not _is_english(word.lower(), presidio_engine.english_words())
                    and not _PLACE_WORD_RE.match(text[lo + e : hi])
                    and not _AFTER_PLACE_PREPOSITION_RE.search(text, 0, lo + s)
                ):
                    spans.append((lo + s, lo + e))
                continue
            if label != "PERSON":
                places.append((lo + s, lo + e))
                continue
            s = _skip_leading_words(text, lo + s, lo + e)
            found = sentence[s - lo : e]  # as read (title-cased when the sentence shouts)
            if " - " in found:  # "Nora Blackwood - receptionist": the model took the role in
                e = s - lo + found.index(" - ")
                found = sentence[s - lo : e]
            if s >= lo + e:
                continue
            strict = _plausible_person(found) and (
                " " in found
                or (cued(lo, hi) and not _AFTER_PLACE_PREPOSITION_RE.search(text, 0, s))
            )
            evident = _evidently_a_person(text, s, lo + e) and _plausible_person(found, loose=True)
            if strict or evident:
                spans.append((s, lo + e))
        # Two capitalised words in a row that no model called anything, in a sentence about a
        # patient (or next to one): a name the small model missed ("Ivy Thornton").
        if cued(lo, hi):
            for match in _TWO_CAPITALISED_RE.finditer(text, lo, hi):
                words = match.group(0).split()
                inside_place = any(
                    ps <= match.start() - lo and match.end() - lo <= pe
                    for ps, pe, label in entities
                    if label in presidio_engine.PLACE_LABELS
                )
                if len(words) <= 3 and not inside_place and not any(map(_not_a_name, words)):
                    spans.append(match.span())
    # "SMITH, Jane" has no other evidence than its shape: not when spaCy reads it as a place.
    spans += [(s, e) for s, e in surname_first if not any(ps <= s and e <= pe for ps, pe in places)]
    # "Costa del Sol", "Rio de Janeiro": a particle name the model reads as a place is one
    spans = [
        span
        for span in spans
        if span not in particle or not any(ps <= span[0] < pe for ps, pe in places)
    ]
    return _merge(spans), places


def _evidently_a_person(text: str, start: int, end: int) -> bool:
    """A patient noun right before the name or an age in apposition right after it."""
    return bool(
        _PERSON_BEFORE_RE.search(text, max(0, start - 20), start)
        or _AGE_AFTER_RE.match(text[end : end + 20])
    )


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


def _plausible_person(span: str, *, loose: bool = False) -> bool:
    """Presidio's PERSON span, unless it is an organisation, an acronym or not capitalised.

    `loose` (for a span with a person's evidence beside it) forgives words that are also
    organisation words ("Florence Ward", "Sam Bank"), not distinctive company names.
    """
    lowered = span.lower()
    if any(phrase in lowered for phrase in _ORGANISATION_PHRASES):
        return False
    words = re.findall(r"[A-Za-z][A-Za-z'+-]*", span)
    if not words or not any(w[0].isupper() for w in words):
        return False
    if all(len(w) > 1 and w.isupper() for w in words):
        return False
    if loose:
        return not any(w.lower() in ORGANISATIONS for w in words)
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
    name = text[start:end]
    if re.match(r"(?:St|Saint)\.? [A-Z]", name):
        return False  # a saint's name is a place: St Anne's, St Thomas'
    if _CLINICAL_CUE_RE.search(text, lo, hi):
        return True
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
    if after is None or _NOT_THEIR_ROLE_RE.search(following[: after.end() + 20]):
        # "Ronald Pike (our porter Dave's dad)": the role is someone else's, the name a relative's
        return False
    dashed = following.lstrip().startswith("-")
    return not (dashed and _ROLE_THEN_VERB_RE.match(following[after.end() :]))
