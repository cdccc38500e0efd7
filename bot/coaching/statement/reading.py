"""Read the answers into the statement's slots.

The recogniser has already filed each part of every message under the question it answers (so
asides, pastes and answers given a step ahead reach the right answer); this module reads the
slot values out of those answers: chat taken out first (`chat.py`), then spaCy's entities for
counts, money, dates, organisations and places, and its parse for the "because"/"so" clauses.
Values are always the user's own words, never a figure or a name that was not typed. A part that
clearly belongs elsewhere (an app as the evidence, a patient's story as the value, a shortfall as
the cause) is held back with the reason, so the writer leaves it out and the coach asks again.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.coaching import checks
from bot.coaching.questions import (
    EVIDENCE,
    MEASURES,
    NOW,
    PARTNERS,
    RISKS,
    ROOT_CAUSE,
    SCOPE,
    TOPIC,
    VALUE_NHS,
    VALUE_PARTNER,
    VALUE_PATIENTS,
    WHO,
    WHY_MATTERS,
)
from bot.coaching.statement.chat import clean, mend_numbers, sentences
from bot.coaching.statement.model import Slot, Statement
from bot.coaching.statement.parsing import parse
from bot.coaching.vocabulary import COMPARATOR_JOIN

WHOLE, TAKEN, INFERRED = 0.9, 0.7, 0.5
# Why an answer that names a solution is held back from its slot.
MISSING_PRODUCT = "it names a missing product, which is a solution in disguise"
SOLUTION_AS_EVIDENCE = "it names a solution rather than evidence of the problem"

# The words people open an answer with; taken off repeatedly, so "The main cause is that the
# problem is that X" and "This matters because it matters because X" keep only X.
_LEAD_INS = re.compile(
    r"^(?:(?:the\s+)?(?:main\s+|root\s+|real\s+|biggest\s+|underlying\s+)?(?:cause|reason|"
    r"problem|issue)\s+(?:is|was)\s+(?:that\s+)?|(?:it|this|that)\s+(?:matters|is\s+important)"
    r"\s+because\s+|(?:it|this|the\s+problem)\s+happens\s+(?:because\s+)?|why\s*[:\-–]\s*|"
    r"because\s+(?:of\s+)?|due\s+to\s+|what\s+happens\s+(?:now\s+)?is\s+(?:that\s+)?|"
    r"(?:at\s+the\s+moment|right\s+now|currently|at\s+present|today)\s*,?\s+|"
    r"(?:the\s+)?(?:people|group|population)\s+(?:affected\s+)?(?:is|are)\s+|"
    r"who\s+is\s+affected\s*[:\-–]\s*|(?:it'?s|it\s+is|those\s+are)\s+(?=[a-z])|"
    r"success\s+(?:is|means|would\s+be)\s+|(?:the\s+)?(?:aim|goal|target|outcome)\s+"
    r"(?:is|would\s+be)\s+(?:to\s+)?|(?:the\s+)?partners?\s+(?:are|is)\s+|"
    r"(?:the\s+)?scope\s+(?:is|would\s+be)\s+|in\s+scope\s*[:\-–]\s*)",
    re.IGNORECASE,
)
_AFFECTED_TAIL = re.compile(r"\s+(?:are|is)\s+(?:the\s+ones\s+)?affected\b", re.IGNORECASE)
_HOW_MANY = re.compile(
    r"(?<![\d,])(?:,\s*|\s+\(|\s*[-–]\s*)(?P<count>(?:about|around|roughly|some|over|nearly|almost|"
    r"approximately|c\.)?\s*\d[\d,.]*\s*(?:[a-z-]+\s+){0,3}?(?:people|adults|children|patients|"
    r"residents|households|homes|families|films|appointments|women|men|babies|carers|referrals|"
    r"a\s+(?:year|month|week))(?:\s+(?:a|each|per)\s+(?:year|month|week))?)\)?",
    re.IGNORECASE,
)
# "…, against the national ambition of 80%": the standard, after a join from the shared list.
_COMPARED_WITH = re.compile(
    rf",?\s*\b(?P<join>{COMPARATOR_JOIN})\s+(?P<what>.+)$",
    re.IGNORECASE,
)
_STANDARD_IS = re.compile(
    r",?\s*(?:and|but)\s+(?P<what>(?:the|our|its|their|[\w']+'s)\s+(?:\w+\s+){0,3}"
    r"(?:standard|target|ambition|benchmark)\s+is\s+.+)$",
    re.IGNORECASE,
)
_FROM_TO = re.compile(r"\bfrom\s+(?P<base>[^,;]+?)\s+to\s+(?P<target>[^,;]+?)(?=\s+by\b|[,;.]|$)")
_BY_DATE = re.compile(
    r"\bby\s+(?P<date>(?:the\s+end\s+of\s+)?(?:\w+\s+)?(?:19|20)\d{2}|(?:the\s+end\s+of\s+)?"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|spring|summer|autumn|winter|Q[1-4])(?:\s+(?:19|20)\d{2})?)",
    re.IGNORECASE,
)
_EXCLUDING = re.compile(
    r"[,;]?\s*\b(?:excluding|excludes?|except(?:ing)?|not\s+including|but\s+not)\s+(?P<what>.+)$",
    re.IGNORECASE,
)
_OWNER = re.compile(r"\b(?:accountab\w*|leads?|owns?|owner|responsible|sponsor)\b", re.IGNORECASE)
_EXIT = re.compile(r"\b(?:exit|hand\s*back|withdraw\w*|stops?|ends?|sustain\w*)\b", re.IGNORECASE)
_CONTRIBUTES = re.compile(
    r"\b(?:contribut|provid|fund|pays?|suppl|loan|lend|lent|donat|second|trains?|hosts?|brings?|"
    r"offers?|gives?)\w*",
    re.IGNORECASE,
)
# A patient's story ("a patient I saw last week…", "one lady waited…") is not a value.
_STORY = re.compile(
    r"^(?:a|one|this|that)\s+(?:patient|lady|man|woman|gentleman|resident|child|mum|client)\b"
    r"[^.]*\b(?:waited|was|had|ended|came|went|died|told|saw)\b",
    re.IGNORECASE,
)
_PARTNERS_LEAD = re.compile(
    r"^(?:(?:the\s+)?partners?(?:\s+are|\s+is|\s*[:\-–])|(?:it\s+is|it's|it\s+would\s+be)\s+|"
    r"(?:we\s+are|we're)(?:\s+\w+\s*[:\-–])?|organisations\s*[:\-–])\s*",
    re.IGNORECASE,
)
# Who is speaking: "I am the pharmacy lead at …", "I work for …", "I'm from …".
_PARTNER_INTRO = re.compile(
    r"^i(?:'?\s*a?m|\s+work|\s+lead|\s+manage|\s+run)\b\s*(?:the\s+|a\s+|an\s+)?.*?"
    r"\b(?:at|in|from|for|with)\s+(?=[A-Z])",
    re.IGNORECASE,
)
# A clause that starts a new partner: "… Riverside ICB and we are working with Northgate",
# "…, and we'd like to partner with the hospice". "We" is the speaker's organisation, already
# named before it, so the clause is a boundary between two partners, never part of a name.
_WE_WORK_WITH = re.compile(
    r"\s*[,;]?\s*(?:\b(?:and|but|so)\s+)?\b(?:we|i)(?:'re|'m|'ll|'d|\s+are|\s+am|\s+will|"
    r"\s+would|\s+have\s+been|\s+want\s+to|\s+plan\s+to|\s+hope\s+to|\s+are\s+going\s+to)?"
    r"(?:\s+(?:like\s+to|love\s+to|now|also|already|currently|hoping\s+to|planning\s+to|"
    r"keen\s+to|going\s+to))*\s+(?:working|work|partnering|partner|collaborating|collaborate|"
    r"teaming\s+up|team\s+up|joining\s+forces)\s+(?:together\s+)?(?:with|alongside)\s+",
    re.IGNORECASE,
)
_PARTNER_SPLIT = re.compile(
    r",\s*(?:working\s+(?:with|alongside)|together\s+with|with)\s+|\s+(?:working\s+with|"
    r"together\s+with|alongside)\s+|;|,(?!\d{3})|\s+and\s+(?=(?:the|a|an|our|their|its)\s+|"
    r"[A-Z])|\s+plus\s+|\s*\+\s*|\s*&\s*",
)
# "Brindle Care, a group running 20 care homes": a description of the partner before it, not a
# second partner.
_DESCRIBED = re.compile(
    r"(\b[A-Z][\w']*(?:\s+[A-Z][\w']*)*),\s+(an?\s+(?:[\w-]+\s+){0,3}(?:group|company|"
    r"charity|firm|provider|organisation|network|federation|partnership|business)\b[^,;()]*)"
)
_RELATIVE = re.compile(r"\s*,?\s+\b(?:who|which)\s+.*$")


def lead_in_free(text: str) -> str:
    """An answer without the openers people use ("the cause is that…"), however many."""
    previous = None
    text = text.strip()
    while previous != text:
        previous = text
        text = _LEAD_INS.sub("", text, count=1).strip()
    return text[:1].upper() + text[1:] if text else ""


def _first(text: str) -> str:
    found = sentences(text)
    return found[0] if found else ""


def _body(text: str) -> str:
    return text.strip().rstrip(" .;:")


def partner_names(text: str) -> list[str]:
    """The organisations named as partners, without who is speaking or what they own."""
    if not text.strip():
        return []
    cleaned = clean(text, keep_first_person=True)
    all_sentences = sentences(cleaned)
    naming = [s for s in all_sentences if _PARTNERS_LEAD.match(s) or "partner" in s.lower()]
    names: list[str] = []
    for sentence in naming or all_sentences:
        sentence = _PARTNERS_LEAD.sub("", sentence.strip(), count=1)
        sentence = _PARTNER_INTRO.sub("", _body(lead_in_free(sentence)))
        sentence = _WE_WORK_WITH.sub("; ", sentence)
        sentence = _DESCRIBED.sub(r"\1 (\2)", sentence)
        for piece in _PARTNER_SPLIT.split(sentence):
            piece = _RELATIVE.sub("", piece).strip(" .,:;")
            piece = re.sub(r"^(?:and|plus|also|with)\s+", "", piece, flags=re.IGNORECASE)
            if len(re.findall(r"[A-Za-z]+", piece)) < 1 or re.search(r"\bi\b|^we\b", piece, re.I):
                continue
            names.append(piece[0].upper() + piece[1:])
    return names[:6]


@lru_cache(maxsize=1024)
def _read_answer(key: str, text: str) -> tuple[tuple[Slot, ...], tuple[tuple[str, str], ...]]:
    """The slots one answer fills, and the slots it was held back from (with why)."""
    slots: list[Slot] = []
    held: list[tuple[str, str]] = []

    def put(name: str, value: str, words: str, confidence: float) -> None:
        value = _body(mend_numbers(value))
        if value:
            slots.append(Slot(name, value, words, confidence, key))

    if key == PARTNERS:
        names = partner_names(text)
        if names:
            put("partners", "; ".join(names), clean(text, keep_first_person=True), WHOLE)
        return tuple(slots), ()
    cleaned = clean(text)
    if not cleaned:
        if text.strip():
            held.append((_slot_for(key), "it reads as talk about the conversation or a story"))
        return (), tuple(held)
    first = lead_in_free(_first(cleaned))
    if key in (WHO, TOPIC):
        if key == TOPIC:
            return (), ()
        people = _AFFECTED_TAIL.sub("", first)
        count = _HOW_MANY.search(people)
        if count:
            put("how_many", count["count"], cleaned, TAKEN)
            people = (people[: count.start()] + people[count.end() :]).strip(" ,")
        elif counted := _counted(first):
            put("how_many", counted, cleaned, TAKEN)
        put("people", people, cleaned, WHOLE)
        places = parse(first).of("GPE")
        if places:
            put("place", places[0].text, cleaned, TAKEN)
    elif key == NOW:
        measure = first
        if against := _COMPARED_WITH.search(measure):
            put("comparator", f"{against['join'].lower()} {against['what']}", cleaned, TAKEN)
            measure = measure[: against.start()]
        elif standard := _STANDARD_IS.search(measure):
            put("comparator", standard["what"], cleaned, TAKEN)
            measure = measure[: standard.start()]
        put("measure", measure, cleaned, WHOLE)
    elif key == EVIDENCE:
        if checks.solution_first(cleaned):
            held.append(("source", SOLUTION_AS_EVIDENCE))
        else:
            put("source", lead_in_free(cleaned), cleaned, WHOLE)
    elif key == WHY_MATTERS:
        harm = lead_in_free(cleaned)
        put("harm", harm, cleaned, WHOLE)
        money = parse(first).of("MONEY")
        if money:
            after = cleaned[cleaned.find(money[0].text) :]
            per = re.match(r"[^,;.]*?\b(?:a|each|per)\s+(?:year|month|week)\b", after)
            put("cost", per.group(0) if per else money[0].text, cleaned, TAKEN)
    elif key == ROOT_CAUSE:
        cause = lead_in_free(cleaned)
        if checks.solution_first(cause) or _MISSING_PRODUCT.search(cause):
            held.append(("cause", MISSING_PRODUCT))
        elif checks.symptom_not_cause(cause) or _shortfall_only(cause):
            held.append(("cause", "a shortfall of staff, money or time is a symptom"))
        else:
            put("cause", cause, cleaned, WHOLE)
            deeper = parse(_first(cause)).because
            if deeper:
                put("deeper_why", deeper, cleaned, TAKEN)
    elif key == MEASURES:
        outcome = lead_in_free(cleaned)
        put("outcome", outcome, cleaned, WHOLE)
        if span := _FROM_TO.search(outcome):
            put("baseline", span["base"], cleaned, TAKEN)
            put("target", span["target"], cleaned, TAKEN)
        if date := _BY_DATE.search(outcome):
            put("target_date", date["date"], cleaned, TAKEN)
    elif key == SCOPE:
        scope = lead_in_free(cleaned)
        if checks.missing_scope(scope) and _reads_as_value(scope):
            held.append(("scope", "it describes gains, not the place, period and exclusions"))
        else:
            put("scope", scope, cleaned, WHOLE)
            if excluded := _EXCLUDING.search(scope):
                put("exclusions", excluded["what"], cleaned, TAKEN)
    elif key in (VALUE_PATIENTS, VALUE_NHS, VALUE_PARTNER):
        name = _slot_for(key)
        kept = [s for s in sentences(cleaned) if not _STORY.match(s)]
        if not kept:
            held.append((name, "it tells one patient's story rather than a gain for everyone"))
        else:
            put(name, lead_in_free(" ".join(kept)), cleaned, WHOLE)
            if key == VALUE_PARTNER:
                gives = [s for s in kept if _CONTRIBUTES.search(s)]
                if gives:
                    put("contribution", " ".join(gives), cleaned, TAKEN)
    elif key == RISKS:
        for sentence in sentences(cleaned):
            if _OWNER.search(sentence):
                put("owner", sentence, cleaned, TAKEN)
            if _EXIT.search(sentence):
                put("exit", sentence, cleaned, TAKEN)
    return tuple(slots), tuple(held)


def _counted(text: str) -> str:
    """'9,000 social rented homes': a count spaCy found, with the noun phrase it counts."""
    for entity in parse(text).of("CARDINAL"):
        chunk = next((c for c in parse(text).noun_chunks if entity.text in c), "")
        if chunk and chunk != entity.text:
            return re.sub(r"^.*'s\s+(?=\S*\d)", "", chunk)
    return ""


# "there aren't any BP kiosks", "we don't have a two-way text reminder app": the absence of a
# product is a solution in disguise, not a cause ("no way to monitor people" is a verb, not one).
_MISSING_PRODUCT = re.compile(
    r"\b(?:don'?t|do\s+not|doesn'?t|does\s+not|no|aren'?t\s+any|are\s+no|isn'?t\s+an?|"
    r"there'?s\s+no|lacks?\s+an?|without\s+an?)\s+(?:have\s+)?(?:an?\s+|any\s+)?"
    r"(?:[\w-]+\s+){0,3}(?<!\bto\s)(?:apps?|kiosks?|software|platforms?|portals?|devices?|machines?|"
    r"scanners?|cameras?|robots?|dashboards?|chatbots?|wearables?|monitors?)\b",
    re.IGNORECASE,
)
_SHORTFALL = re.compile(
    r"\b(?:not\s+enough|too\s+few|lack\s+of|shortage\s+of|short\s+of|vacanc\w+|"
    r"understaff\w*|no\s+(?:money|funding|staff|capacity|time|budget))\b",
    re.IGNORECASE,
)
_PROCESS = re.compile(r"\b(?:because|so|since|which\s+means|until|when|never|only)\b", re.I)


def _shortfall_only(cause: str) -> bool:
    """'Not enough radiologists. 4 vacancies.': a lack of resource with no process behind it."""
    return bool(_SHORTFALL.search(cause)) and not _PROCESS.search(cause)


def _reads_as_value(text: str) -> bool:
    return bool(re.search(r"\b(?:gets?|gains?|learns?|hits?|fewer|benefits?)\b", text, re.I))


def _slot_for(key: str) -> str:
    return {
        WHO: "people",
        NOW: "measure",
        EVIDENCE: "source",
        WHY_MATTERS: "harm",
        ROOT_CAUSE: "cause",
        MEASURES: "outcome",
        SCOPE: "scope",
        VALUE_PATIENTS: "value_patients",
        VALUE_NHS: "value_nhs",
        VALUE_PARTNER: "value_partner",
        RISKS: "owner",
        PARTNERS: "partners",
    }.get(key, key)


def read_statement(answers: dict[str, str]) -> Statement:
    """Every slot the answers fill. Deterministic and cached per answer, so cheap per turn."""
    slots: dict[str, Slot] = {}
    held: dict[str, str] = {}
    for key, text in answers.items():
        if not str(text or "").strip():
            continue
        found, held_back = _read_answer(key, str(text))
        for slot in found:
            if slot.name not in slots or slot.confidence > slots[slot.name].confidence:
                slots[slot.name] = slot
        for name, why in held_back:
            held.setdefault(name, why)
    if "place" not in slots:  # a place named only in the scope or the gap still counts
        for key in (SCOPE, NOW):
            if answers.get(key) and (places := parse(_first(clean(answers[key]))).of("GPE")):
                slots["place"] = Slot("place", places[0].text, answers[key], INFERRED, key)
                break
    return Statement(slots, {k: v for k, v in held.items() if k not in slots})


def answers_as_read(answers: dict[str, str]) -> dict[str, str]:
    """The answers as the slots read them, for scoring: chat and openers taken out, and an
    answer held back from its slot (an app as the evidence, a shortfall as the cause) left out,
    so the scorecard neither quotes chat nor credits a part that does not do its job."""
    read: dict[str, str] = {}
    for key, text in answers.items():
        if not str(text or "").strip():
            continue
        found, held_back = _read_answer(key, str(text))
        if held_back and not found:
            continue
        if key == PARTNERS:
            read[key] = clean(text, keep_first_person=True) or text
            continue
        cleaned = " ".join(lead_in_free(s) for s in sentences(clean(text)))
        if cleaned:
            read[key] = cleaned
    return read


def solutions_held_back(answers: dict[str, str]) -> dict[str, str]:
    """The answers kept out of the statement because they name a solution, by what they were
    meant as ("the cause"), with the words that name it.

    The writer leaves "there aren't any BP kiosks" out of the statement, so the statement reads
    solution-neutral; but the user's own account of why the problem happens is still a product
    nobody has bought, and a partnership built on it would be a purchase. The rubric needs to
    know, or leaving the flaw out of the page would raise the score.
    """
    found: dict[str, str] = {}
    for key, label in ((ROOT_CAUSE, "the cause"), (EVIDENCE, "the evidence")):
        text = str(answers.get(key) or "")
        if not text.strip():
            continue
        _slots, held = _read_answer(key, text)
        if any(why in (MISSING_PRODUCT, SOLUTION_AS_EVIDENCE) for _name, why in held):
            words = lead_in_free(clean(text))
            missing = _MISSING_PRODUCT.search(words)
            found[label] = (
                f"“…{missing.group(0)}…”" if missing else checks.find_solution(words) or words
            )
    return found


# "…, about 1,400 a year": a head count closing a noun phrase, as people say who is affected.
_TRAILING_COUNT = re.compile(
    r",\s*(?:about|around|roughly|some|over|under|nearly|almost|approximately|c\.|up\s+to)?\s*"
    r"\d[\d,.]*\b[^,;.!?]*[.!]?\s*$",
    re.IGNORECASE,
)
# Words that make a clause of it ("young people rarely get tested"): a topic, not a group.
_CLAUSE_WORDS = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|do|does|did|can|cannot|could|will|would|should|"
    r"must|may|might|get|gets|got|wait|waits|need|needs|want|wants|go|goes|miss|misses|rarely|"
    r"never|often|seldom|struggle|struggles|we|i|our)\b|n't\b",
    re.IGNORECASE,
)
GROUP_OPENS_WITHIN = 30  # characters: "Women having…", "Adults aged…", "People on Lowfield's…"


def reads_as_who(text: str) -> bool:
    """Whether an answer is a defined group with its head count and nothing else ("Women having
    labour induced at Fairmead, about 1,400 a year"): a user running one step ahead has
    answered "who is affected?" before it was asked, and it must not be taken as the topic."""
    cleaned = clean(text)
    found = sentences(cleaned)
    if len(found) != 1:
        return False
    count = _TRAILING_COUNT.search(found[0])
    if not count:
        return False
    head = found[0][: count.start()]
    group = checks.GROUP.search(head)
    return bool(group and group.start() <= GROUP_OPENS_WITHIN and not _CLAUSE_WORDS.search(head))
