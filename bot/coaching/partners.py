"""Partner types: what kind of organisations a draft brings together, and what follows from it.

The rules, tips and value prompts that fit a pharmaceutical company (the ABPI Code, "no link to
prescribing", the industry's "triple win") are wrong for a council, a housing association or a
charity, and the digital assurance a software supplier needs (DTAC, clinical safety cases) means
nothing to a hospice. A draft's partner type comes from the form (`partner_type`, a fixed list in
Slack and the evals) and from the words the user uses for the partners ("the county council and
Riverside Housing"); a draft can bring several kinds together, so a draft has a set of kinds.

`PartnerFit` answers the questions the coach asks of that set: do the medicines rules apply, does
digital assurance, is this knowledge passage for these partners, what should the value prompt
say. With no kind known it answers as the coach always has, so nothing is hidden from a user who
has not yet said who the partners are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.coaching.questions import PARTNERS, VALUE_PARTNER, known_question
from bot.coaching.reply import Reply
from bot.retrieval.passage import Passage


class PartnerKind(StrEnum):
    PHARMACEUTICAL = "pharmaceutical"
    MEDTECH_DIGITAL = "medtech_digital"
    SOCIAL_CARE = "social_care"
    LOCAL_GOVERNMENT = "local_government"  # councils, and housing providers with them
    VOLUNTARY = "voluntary"
    ACADEMIC = "academic"
    # A community pharmacy chain or the local pharmaceutical committee: NHS contractors, named
    # as partners of their own, but not the pharmaceutical industry (no ABPI Code, no "triple
    # win"); kept apart from NHS so that naming one makes the partners known.
    COMMUNITY_PHARMACY = "community_pharmacy"
    NHS = "nhs"


# The values the Slack form and the eval cards store as `partner_type`.
_FORM_VALUES: dict[str, PartnerKind] = {
    "pharmaceutical": PartnerKind.PHARMACEUTICAL,
    "pharma": PartnerKind.PHARMACEUTICAL,
    "medtech": PartnerKind.MEDTECH_DIGITAL,
    "digital": PartnerKind.MEDTECH_DIGITAL,
    "medtech_digital": PartnerKind.MEDTECH_DIGITAL,
    "social_care": PartnerKind.SOCIAL_CARE,
    "local_government": PartnerKind.LOCAL_GOVERNMENT,
    "housing": PartnerKind.LOCAL_GOVERNMENT,
    "charity": PartnerKind.VOLUNTARY,
    "voluntary": PartnerKind.VOLUNTARY,
    "academic": PartnerKind.ACADEMIC,
    "community_pharmacy": PartnerKind.COMMUNITY_PHARMACY,
    "nhs": PartnerKind.NHS,
}

# How people name each kind of organisation. A community pharmacy and a local pharmaceutical
# committee are NHS contractors, not the pharmaceutical industry, so "pharmac…" alone is no cue.
_CUES: dict[PartnerKind, re.Pattern[str]] = {
    PartnerKind.PHARMACEUTICAL: re.compile(
        r"\bpharma\b|\bpharmaceutical\s+(?:compan\w*|industry|firm|manufacturer|partner)|"
        r"\b(?:drug|medicines?)\s+(?:compan\w*|manufacturer)|\bbiotech\w*|\blife\s+sciences?\b",
        re.IGNORECASE,
    ),
    PartnerKind.MEDTECH_DIGITAL: re.compile(
        r"\b(?:digital|software|apps?|platform|medtech|med-tech|health\s?tech|tech(?:nology)?\s+"
        r"(?:compan\w*|firm|supplier|start-?up)|start-?up|device\s+(?:compan\w*|maker|"
        r"manufacturer)|devices?\s+supplier|AI|artificial\s+intelligence|remote\s+monitoring|"
        r"wearables?|diagnostics\s+compan\w*)\b",
        re.IGNORECASE,
    ),
    PartnerKind.SOCIAL_CARE: re.compile(
        r"\b(?:social\s+care|care\s+homes?|domiciliary|home\s?care|care\s+(?:provider|agency|"
        r"agencies|company)|reablement)\b",
        re.IGNORECASE,
    ),
    PartnerKind.LOCAL_GOVERNMENT: re.compile(
        r"\b(?:council|local\s+authorit(?:y|ies)|borough|combined\s+authority|"
        r"housing(?:\s+(?:association|provider|trust|department|team|services?))?|landlords?|"
        r"social\s+(?:rented\s+)?homes|public\s+health\s+team)\b",
        re.IGNORECASE,
    ),
    PartnerKind.VOLUNTARY: re.compile(
        r"\b(?:charit(?:y|ies|able)|voluntary|vcse|third\s+sector|community\s+(?:group|"
        r"organisation|interest\s+company)|social\s+enterprise|hospice|food\s+bank)\b",
        re.IGNORECASE,
    ),
    PartnerKind.ACADEMIC: re.compile(
        r"\b(?:universit(?:y|ies)|academic|research\s+(?:unit|institute|centre|group|"
        r"collaboration)|medical\s+school|school\s+of\s+\w+)\b",
        re.IGNORECASE,
    ),
    # "Northgate Pharmacy Group", "our six community pharmacies", "the LPC"; not "the pharmacy
    # lead at Riverside ICB", which is a person's role in an NHS body.
    PartnerKind.COMMUNITY_PHARMACY: re.compile(
        r"\bcommunity\s+pharmac(?:y|ies)\b|\bpharmacy\s+(?:group|chain|contractors?|compan\w*|"
        r"business(?:es)?|owners?)\b|\bpharmacies\b|\bchemists?\b|"
        r"\blocal\s+pharmaceutical\s+committee\b|\bLPC\b",
        re.IGNORECASE,
    ),
    PartnerKind.NHS: re.compile(
        r"\b(?:nhs|trust|icb|integrated\s+care\s+board|pcn|primary\s+care\s+network|"
        r"practices?|hospital|ambulance)\b",
        re.IGNORECASE,
    ),
}

# Knowledge that belongs to one kind of partner: a document's tags, or words in a passage.
_TAGS: dict[PartnerKind, frozenset[str]] = {
    PartnerKind.PHARMACEUTICAL: frozenset(
        {"pharmaceutical-industry", "abpi-code", "joint-working", "clause-20", "clause-23", "megs"}
    ),
    PartnerKind.MEDTECH_DIGITAL: frozenset(
        {
            "digital-partners",
            "medtech",
            "abhi-code",
            "dtac",
            "dcb0129",
            "dcb0160",
            "software-as-a-medical-device",
            "digital",
        }
    ),
    PartnerKind.SOCIAL_CARE: frozenset({"social-care", "care-technology", "telecare"}),
    PartnerKind.LOCAL_GOVERNMENT: frozenset({"local-government"}),
}
_WORDS: dict[PartnerKind, re.Pattern[str]] = {
    PartnerKind.PHARMACEUTICAL: re.compile(
        r"\bABPI\b|triple\s+win|\bprescrib\w*|\bPMCPA\b|\bjoint\s+working\b|Disclosure\s+UK",
        re.IGNORECASE,
    ),
    PartnerKind.MEDTECH_DIGITAL: re.compile(
        r"\bDTAC\b|\bDCB\s?01(?:29|60)\b|\bABHI\b|medical\s+device|\bMHRA\b"
    ),
}
# The pharmaceutical industry's own bodies: a document that also cites a public source (the
# Scottish Government, the NHS) is cited by that one on a draft with no pharmaceutical partner.
_INDUSTRY_SOURCE = re.compile(r"\b(?:abpi|pmcpa)\.org\.uk\b", re.IGNORECASE)
FIT_BOOST = 0.15  # how far a passage about these very partners moves up a list of candidates

# The value question's hint, in the terms each kind of partner counts its gains.
_VALUE_HINTS: dict[PartnerKind, str] = {
    PartnerKind.PHARMACEUTICAL: (
        "Be candid: reputation, evidence, a shared view of patients' unmet needs. Each party "
        "must make a real contribution, and nothing may be linked to prescribing its medicines."
    ),
    PartnerKind.MEDTECH_DIGITAL: (
        "Be candid: real-world evidence, a reference site, learning for its product. Each party "
        "must make a real contribution, and no promise to buy: a later purchase is procured."
    ),
    PartnerKind.SOCIAL_CARE: (
        "In the provider's terms: safer transfers, fewer crises and readmissions among the people "
        "it cares for, staff time, a stable workforce. And what it will contribute."
    ),
    PartnerKind.LOCAL_GOVERNMENT: (
        "In the council's terms: statutory duties met, residents kept well and at home, costs "
        "avoided (repairs, temporary accommodation, care packages). And what it will contribute."
    ),
    PartnerKind.VOLUNTARY: (
        "In the charity's terms: its mission served, evidence for its funders, people reached. "
        "Say how its time will be paid for, not assumed free, and what it will contribute."
    ),
    PartnerKind.ACADEMIC: (
        "In the university's terms: research questions answered, publications, a study site, "
        "students' learning. And what it will contribute (evaluation, analysis, time)."
    ),
    PartnerKind.COMMUNITY_PHARMACY: (
        "In the pharmacy's terms: services it is commissioned and paid for, people it reaches, "
        "pharmacists' time. And what it will contribute (staff, premises, opening hours)."
    ),
}
_VALUE_SEARCH: dict[PartnerKind, str] = {
    PartnerKind.PHARMACEUTICAL: "what motivates industry partners triple win",
    PartnerKind.MEDTECH_DIGITAL: "what digital and medtech partners gain evidence reference site",
    PartnerKind.SOCIAL_CARE: "social care partner value care technology council provider",
    PartnerKind.LOCAL_GOVERNMENT: "local government council partner value residents costs",
    PartnerKind.VOLUNTARY: "how each party sees value perceived value voluntary partner",
    PartnerKind.ACADEMIC: "how each party sees value evaluation research partner",
}
GENERIC_VALUE_SEARCH = "how each party sees value perceived value expectations"


@dataclass(frozen=True)
class PartnerFit:
    """The kinds of partner a draft brings together, and the rules and knowledge that fit them."""

    kinds: frozenset[PartnerKind] = frozenset()

    @property
    def known(self) -> bool:
        """Whether any partner other than the NHS has been named (an unknown draft is not
        filtered: it is shown what every draft was shown before partners were typed)."""
        return bool(self.kinds - {PartnerKind.NHS})

    @property
    def medicines_rules(self) -> bool:
        """The ABPI Code and 'no link to prescribing' apply: a pharmaceutical company takes part."""
        return PartnerKind.PHARMACEUTICAL in self.kinds

    @property
    def digital_rules(self) -> bool:
        """DTAC, clinical safety and device regulation apply: a digital or medtech supplier."""
        return PartnerKind.MEDTECH_DIGITAL in self.kinds

    @property
    def commercial(self) -> bool:
        return self.medicines_rules or self.digital_rules

    def describe(self) -> str:
        """The kinds in words, for a model's prompt: 'local government, voluntary sector'."""
        words = {
            PartnerKind.PHARMACEUTICAL: "pharmaceutical company",
            PartnerKind.MEDTECH_DIGITAL: "medtech or digital company",
            PartnerKind.SOCIAL_CARE: "social care provider",
            PartnerKind.LOCAL_GOVERNMENT: "local government or housing",
            PartnerKind.VOLUNTARY: "voluntary sector",
            PartnerKind.ACADEMIC: "academic",
            PartnerKind.COMMUNITY_PHARMACY: "community pharmacy",
            PartnerKind.NHS: "NHS",
        }
        return ", ".join(words[k] for k in PartnerKind if k in self.kinds) or "not yet known"

    def fits(self, passage: Passage) -> bool:
        """False for knowledge written for a kind of partner this draft does not have."""
        if not self.known:
            return True
        return not any(
            kind not in self.kinds and self._about(passage, kind)
            for kind in (PartnerKind.PHARMACEUTICAL, PartnerKind.MEDTECH_DIGITAL)
        )

    def boost(self, passage: Passage) -> float:
        """A small lift for knowledge about these very partners (a council's case for a council)."""
        return FIT_BOOST if any(self._about(passage, kind) for kind in self.kinds) else 0.0

    def choose(self, passages: Iterable[Passage]) -> list[Passage]:
        """The passages that fit, by relevance with a lift for those about these partners (a
        lift, not a jump: a far better match on the question still comes first)."""
        kept = [self.cited(p) for p in passages if self.fits(p)]
        return sorted(kept, key=lambda p: -(p.score + self.boost(p))) if self.known else kept

    def cited(self, passage: Passage) -> Passage:
        """The passage with the source these partners should see first: a council's draft
        that draws on a partnership-agreement guide cites its public-sector source rather than
        the ABPI Code it also draws on (the first source is the link a citation shows)."""
        if not self.known or self.medicines_rules:
            return passage
        urls = passage.source_urls
        public = [u for u in urls if not _INDUSTRY_SOURCE.search(u)]
        if not public or urls[0] in public:
            return passage
        industry = [u for u in urls if u not in public]
        return replace(passage, source_urls=(*public, *industry))

    def value_hint(self, default: str) -> str:
        """The partner value question's hint for these partners (`default` when none is known)."""
        for kind in PartnerKind:
            if kind in self.kinds and kind in _VALUE_HINTS:
                return _VALUE_HINTS[kind]
        return default

    def value_search(self, default: str) -> str:
        """What to look up for a tip on the partner's value: the industry's motives only for
        industry, how each party sees value for anyone else."""
        for kind in PartnerKind:
            if kind in self.kinds and kind in _VALUE_SEARCH:
                return _VALUE_SEARCH[kind]
        return GENERIC_VALUE_SEARCH if self.known else default

    def question_search(self, key: str, default: str) -> str:
        """A question's tip lookup for these partners (only the partner's value differs)."""
        return self.value_search(default) if key == VALUE_PARTNER else default

    @staticmethod
    def _about(passage: Passage, kind: PartnerKind) -> bool:
        tags = _TAGS.get(kind, frozenset())
        if tags & set(passage.tags):
            return True
        words = _WORDS.get(kind)
        return bool(words and words.search(f"{passage.title} {passage.text}"))


# A company named by what it makes or sells ("a catheter supplier", "a sensor company") and by no
# other cue: a medtech or digital supplier is by far the likeliest, and the pharmaceutical
# industry says so ("a pharmaceutical company", "Acme Pharma").
_SOME_COMPANY = re.compile(
    r"\b(?:compan(?:y|ies)|suppliers?|vendors?|manufacturers?|ltd|limited|plc|inc|sensors?)\b",
    re.IGNORECASE,
)


def kinds_named(text: str) -> set[PartnerKind]:
    """The kinds of organisation named in some words ('a county council and a charity')."""
    kinds = {kind for kind, cue in _CUES.items() if cue.search(text or "")}
    if not kinds - {PartnerKind.NHS} and _SOME_COMPANY.search(text or ""):
        kinds.add(PartnerKind.MEDTECH_DIGITAL)
    return kinds


def standing_partner_type(
    partner_type: str,
    renamed: bool,
    partners: Iterable[str] = (),
    answers: Mapping[str, str] | None = None,
) -> str:
    """The form's partner type while it still describes the partners, else "".

    The form is filled in once, before the conversation; when the user later changes the
    partners ("actually the partner is the county council, not Northgate Pharmacy Group"), a
    form that said "pharmaceutical" would keep the ABPI Code and the "triple win" on a council's
    draft. So once the partners are renamed, the names decide, whenever they name a kind at
    all; names that say nothing about their kind ("Acme") leave the form's type standing.
    """
    if not renamed:
        return partner_type
    named = " ".join([*partners, (answers or {}).get(PARTNERS, "")])
    return "" if kinds_named(named) - {PartnerKind.NHS} else partner_type


def partner_fit(
    partner_type: str = "", partners: Iterable[str] = (), answers: Mapping[str, str] | None = None
) -> PartnerFit:
    """A draft's partner kinds: the form's partner type plus the kinds its partners' names say."""
    kinds: set[PartnerKind] = set()
    chosen = (partner_type or "").strip().lower().replace(" ", "_").replace("-", "_")
    if chosen in _FORM_VALUES:
        kinds.add(_FORM_VALUES[chosen])
    elif chosen:
        kinds |= kinds_named(partner_type)
    named = " ".join([*partners, (answers or {}).get(PARTNERS, "")])
    kinds |= kinds_named(named)
    return PartnerFit(frozenset(kinds))


def worded_for(reply: Reply, fit: PartnerFit) -> Reply:
    """`reply` with the partner value question's hint in these partners' terms (a council is
    not asked about its "commercial return"); any other reply as it was."""
    asked = known_question(VALUE_PARTNER)
    if reply.question == asked.prompt and reply.hint == asked.hint:
        reply.hint = fit.value_hint(asked.hint)
    return reply
