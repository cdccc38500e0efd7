"""The readiness checklist: what an agreement with these partners needs before work starts.

Every partnership needs a written agreement between the organisations, a real contribution from
each, outcomes for each and a safe exit. The rest depends on who the partners are: the ABPI
Code's public summary and "no link to prescribing" bind pharmaceutical companies only; DTAC,
clinical safety cases and device regulation bind digital and medtech suppliers; a council, a
care provider, a charity or a university each brings its own governance. Answers that move
patient data add information governance whoever the partner is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.coaching.partners import PartnerFit, PartnerKind
from bot.coaching.questions import MEASURES, RISKS, VALUE_PARTNER
from bot.drafts.content import ChecklistItem

# What a partner puts in, in the words people use: "it loans scanners and trains assistants",
# "supplies kits", "seconds a nurse", "pays for the evaluation".
_CONTRIBUTION = re.compile(
    r"(?<!to )\b(?:contribut|provid|fund|pay|pays|paid|suppl|loan|lend|lent|donat|second|train|"
    r"host|run|runs|give|gives|bring|brings|offer|staff|time|expertise|equipment|kits?|devices?|"
    r"analys|nurse|pharmacist|support|data\s+(?:analysis|science))\w*",
)
PATIENT_DATA_WORDS = re.compile(
    r"\b(patient (?:data|records?|information|lists?)|data[- ]?shar\w*|shar\w* (?:\w+ )?data|"
    r"records?|datasets?|data extracts?|identifiable|searches of (?:\w+ )?records)\b",
    re.IGNORECASE,
)


def moves_patient_data(answers: Mapping[str, str]) -> bool:
    """Whether the answers say patient data will be shared or used: IG comes first."""
    return any(PATIENT_DATA_WORDS.search(str(value)) for value in answers.values())


def readiness_checklist(answers: Mapping[str, str], fit: PartnerFit) -> list[ChecklistItem]:
    """The items an agreement with these partners needs, ticked where the answers cover them.

    Empty while no partner outside the NHS is known: a checklist for partners nobody has named
    would only guess.
    """
    if not fit.known:
        return []
    items = _every_partnership(answers)
    if fit.medicines_rules:
        items += _medicines_items()
    if fit.digital_rules:
        items += _digital_items()
    for kind, extra in _OWN_ITEMS.items():
        if kind in fit.kinds:
            items += extra
    if moves_patient_data(answers):
        items += _data_items(answers)
    return items


def _every_partnership(answers: Mapping[str, str]) -> list[ChecklistItem]:
    partner = answers.get(VALUE_PARTNER, "").lower()
    risks = answers.get(RISKS, "").lower()
    measures = answers.get(MEASURES, "")
    return [
        ChecklistItem(
            item="A formal written agreement between the organisations (never individuals)",
            note="Agree it before any work starts.",
        ),
        ChecklistItem(
            item="A significant contribution from each party (people, expertise, data, money)",
            done=bool(_CONTRIBUTION.search(partner)),
        ),
        ChecklistItem(
            item="Outcome measures for patients, the NHS and the partner",
            done=bool(re.search(r"\d", measures)),
        ),
        ChecklistItem(
            item="An exit strategy that keeps care safe if the work stops",
            done=bool(re.search(r"exit|stop|end|hand ?back|withdraw|sustain", risks)),
        ),
    ]


def _medicines_items() -> list[ChecklistItem]:
    return [
        ChecklistItem(
            item="A public executive summary of the agreement, published before work starts",
            note="The ABPI Code asks it of collaborative working with a pharmaceutical company.",
        ),
        ChecklistItem(
            item="No link to prescribing, supplying or recommending any medicine or product",
        ),
    ]


def _digital_items() -> list[ChecklistItem]:
    return [
        ChecklistItem(
            item="DTAC completed by the supplier and assessed by us before adoption",
            note="Clinical safety, data protection, security, interoperability, accessibility.",
        ),
        ChecklistItem(
            item="Clinical safety: the supplier's DCB0129 safety case and our own DCB0160 "
            "assessment, each signed off by a clinical safety officer",
        ),
        ChecklistItem(
            item="Regulatory status checked: is the product a medical device (MHRA)?",
        ),
        ChecklistItem(
            item="No promise to buy: any later purchase goes through procurement rules",
        ),
    ]


_OWN_ITEMS: dict[PartnerKind, list[ChecklistItem]] = {
    PartnerKind.LOCAL_GOVERNMENT: [
        ChecklistItem(
            item="Governance agreed: which board signs it off (for example the health and "
            "wellbeing board), and a section 75 agreement if budgets are pooled",
        ),
    ],
    PartnerKind.SOCIAL_CARE: [
        ChecklistItem(
            item="Who commissions and pays for the care involved (council, NHS or the person), "
            "and the provider's CQC registration covers it",
        ),
    ],
    PartnerKind.VOLUNTARY: [
        ChecklistItem(
            item="How the charity's time is paid for (grant or contract), not assumed free",
        ),
        ChecklistItem(
            item="Safeguarding: the charity's policy and checks for staff and volunteers who "
            "meet patients",
        ),
    ],
    PartnerKind.ACADEMIC: [
        ChecklistItem(
            item="Research or service evaluation decided (the HRA's decision tool), with "
            "ethics approval if it is research",
        ),
        ChecklistItem(
            item="Publication, authorship and intellectual property agreed before work starts",
        ),
    ],
}


def _data_items(answers: Mapping[str, str]) -> list[ChecklistItem]:
    text = " ".join(str(v) for v in answers.values()).lower()
    return [
        ChecklistItem(
            item="Information governance settled before any data moves: lawful basis, "
            "controller or processor roles, data sharing agreement",
            done=bool(re.search(r"lawful basis|data sharing agreement|controller|processor", text)),
        ),
        ChecklistItem(
            item="A data protection impact assessment signed off by the data protection officer",
            done=bool(re.search(r"\bdpia\b|data protection impact", text)),
        ),
        ChecklistItem(
            item="The partner's Data Security and Protection Toolkit status checked; national "
            "data opt-out and Caldicott Guardian considered",
        ),
    ]
