"""Scripted users for whole-conversation tests and `make bench`: each message labelled with the
question(s) it answers, so what the coach stored can be compared with what the user meant.

Written for these tests (not taken from the labelled recogniser set): a rambler who pastes a
whole description at once, users whose answers run one question ahead of or behind the coach,
and a terse user.
"""

from __future__ import annotations

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.questions import (
    EVIDENCE,
    MEASURES,
    NOW,
    PARTNERS,
    QUESTION_KEYS,
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

# One pasted description covering every question, as a rambling user writes it.
RICH_PARAGRAPH = (
    "Hi, so this is about heart failure. The partners are our community trust's heart failure "
    "nursing team and a digital health company that supplies home monitoring kit.\n"
    "Adults with heart failure living at home in the two boroughs we cover are the ones "
    "affected, about 1,900 people on the practice registers.\n"
    "At the moment they are admitted on average 11 days after their symptoms start getting "
    "worse, when the guideline expects a review within 2 days.\n"
    "Trust admissions data for April 2024 to March 2025 shows 640 emergency admissions for heart "
    "failure, and 24% were readmitted within 30 days against a peer median of 17%.\n"
    "Each admission costs around £3,500 and people lose independence, so this is about £2.2m a "
    "year and a lot of avoidable harm.\n"
    "It happens because nobody reviews weight and breathlessness between clinic visits, so early "
    "warning signs are missed.\n"
    "We want to cut emergency admissions for heart failure from 640 to 480 a year by March 2026, "
    "measured monthly from trust data.\n"
    "In scope are the two boroughs for twelve months from April 2025, excluding people already "
    "under the palliative care team.\n"
    "Patients would stay well at home, with fewer frightening trips to hospital.\n"
    "The trust would free about 1,500 bed days a year and meet its readmission target.\n"
    "The company gains real-world evidence for its service and contributes the monitoring kit "
    "and an analyst at no cost.\n"
    "The trust's director of nursing is accountable for patient safety and the company's "
    "project lead for its kit; if the work stops, patients go back to usual clinic follow-up "
    "with a three-month handover."
)
RICH_LABELS: dict[str, str] = {
    PARTNERS: "digital health company",
    WHO: "1,900 people",
    NOW: "11 days",
    EVIDENCE: "640 emergency admissions",
    WHY_MATTERS: "£3,500",
    ROOT_CAUSE: "nobody reviews weight",
    MEASURES: "from 640 to 480",
    SCOPE: "excluding people already under the palliative",
    VALUE_PATIENTS: "stay well at home",
    VALUE_NHS: "1,500 bed days",
    VALUE_PARTNER: "real-world evidence",
    RISKS: "director of nursing is accountable",
}


def ahead_script() -> list[tuple[str, str]]:
    """Each message answers the question AFTER the one asked (the user runs one step ahead).

    The first message answers both the first question and the second, so every later answer
    is one question early.
    """
    keys = list(QUESTION_KEYS)
    first = f"{GOOD_ANSWERS[PARTNERS]}. {GOOD_ANSWERS[TOPIC]}"
    return [(first, f"{PARTNERS}+{TOPIC}"), *((GOOD_ANSWERS[k], k) for k in keys[2:])]


def behind_script() -> list[tuple[str, str]]:
    """The user holds one answer back each time and gives it with the next question's answer
    missing: each message answers the question BEFORE the one asked, except the first."""
    keys = list(QUESTION_KEYS)
    script = [(GOOD_ANSWERS[keys[0]], keys[0])]
    # asked keys[i], the user answers keys[i-1] again-late style: skip ahead first, then fill in
    for index in range(2, len(keys), 2):
        script.append((GOOD_ANSWERS[keys[index]], keys[index]))
        script.append((GOOD_ANSWERS[keys[index - 1]], keys[index - 1]))
    if len(keys) % 2 == 0:
        script.append((GOOD_ANSWERS[keys[-1]], keys[-1]))
    return script


TERSE_SCRIPT: list[tuple[str, str]] = [
    ("NHS trust + Acme Pharma", PARTNERS),
    ("asthma in kids", TOPIC),
    ("children with asthma at our 14 practices", WHO),
    ("41% get a yearly review, should be 100%", NOW),
    ("QOF data 2024: 41% reviewed", EVIDENCE),
    ("150 admissions a year, about £300k", WHY_MATTERS),
    ("no recall system, so reviews never booked", ROOT_CAUSE),
    ("reviews from 41% to 90% by March 2026", MEASURES),
    ("14 practices, 2025/26, excluding under 5s", SCOPE),
    ("fewer attacks, fewer days off school", VALUE_PATIENTS),
    ("fewer admissions, QOF targets met", VALUE_NHS),
    ("Acme gets evidence, gives nurse time", VALUE_PARTNER),
    ("clinical lead accountable; practices keep the recall lists if it stops", RISKS),
]
