"""Partner-type awareness: a council, a charity or a university is coached as what it is.

No medicines rules (ABPI, prescribing, the industry's "triple win") for a council or a charity,
no DTAC for a charity, and a tip once per draft; a pharmaceutical draft still gets all of them.
"""

from __future__ import annotations

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.checklist import readiness_checklist
from bot.coaching.engine import Engine
from bot.coaching.partners import PartnerKind, partner_fit, standing_partner_type
from bot.coaching.questions import PARTNERS, VALUE_PARTNER, known_question
from bot.coaching.reply import Reply
from bot.coaching.stages import QUESTION_KEYS
from bot.drafts.records import Actor
from bot.retrieval.passage import Passage
from tests.fakes.search import PASSAGES, FakeSearch

ALICE = Actor("T1", "alice")


def _passage(path: str, title: str, heading: str, text: str, tags: tuple[str, ...]) -> Passage:
    return Passage(
        title=title,
        source=f"Test corpus: {title}",
        path=path,
        heading=heading,
        kind="guide",
        score=0.0,
        text=text,
        source_urls=(f"https://example.org/{path.removesuffix('.md')}",),
        tags=tags,
    )


# The shared test corpus, plus knowledge written for one kind of partner each.
TRIPLE_WIN = _passage(
    "frameworks/triple-win-and-shared-value.md",
    "The triple win",
    "What motivates industry partners",
    "Industry partners are motivated by a triple win: benefits for patients, for the NHS and "
    "for the company. Partners value evidence, reputation and a shared view of unmet need.",
    ("value-proposition", "triple-win"),
)
DIGITAL_RULES = _passage(
    "guides/rules-for-medtech-and-digital-partners.md",
    "Rules for medtech and digital partners",
    "DTAC and clinical safety",
    "A digital partner completes DTAC and a DCB0129 clinical safety case before its product "
    "is adopted, and the NHS body completes DCB0160. Partners value evidence from real use.",
    ("digital-partners", "dtac"),
)
COUNCIL_CASE = _passage(
    "cases/hampshire-care-technology.md",
    "Case: care technology with a county council",
    "What each partner gained",
    "A county council and a supplier made care technology part of social care. The council "
    "valued people kept well at home and costs avoided; partners value evidence of what works.",
    ("social-care", "local-government"),
)
CORPUS = (*PASSAGES, TRIPLE_WIN, DIGITAL_RULES, COUNCIL_CASE)

COUNCIL = "Our ICB, Riverside County Council and Riverside Housing, who own 9,000 social homes"
CHARITY = "Our hospital discharge team and a homelessness charity"
DIGITAL = "Our ICB and a digital health company that makes a remote monitoring app"


@pytest.mark.parametrize(
    ("partner_type", "named", "kind"),
    [
        ("", COUNCIL, PartnerKind.LOCAL_GOVERNMENT),
        ("", CHARITY, PartnerKind.VOLUNTARY),
        ("", DIGITAL, PartnerKind.MEDTECH_DIGITAL),
        ("", "Our network and a university physiotherapy school", PartnerKind.ACADEMIC),
        ("", "Our trust and Acme Pharma", PartnerKind.PHARMACEUTICAL),
        ("", "Three care homes and our community team", PartnerKind.SOCIAL_CARE),
        ("", "District nurses and a catheter supplier", PartnerKind.MEDTECH_DIGITAL),
        ("", "Our trust's falls team and a sensor company", PartnerKind.MEDTECH_DIGITAL),
        ("local_government", "Riverside", PartnerKind.LOCAL_GOVERNMENT),
        ("charity", "", PartnerKind.VOLUNTARY),
        ("voluntary", "", PartnerKind.VOLUNTARY),
    ],
)
def test_the_partner_kind_comes_from_the_form_or_the_partners_names(partner_type, named, kind):
    assert kind in partner_fit(partner_type, [], {PARTNERS: named}).kinds


def test_a_named_kind_wins_over_the_word_company():
    fit = partner_fit("", [], {PARTNERS: "Our ward and a home care company"})
    assert PartnerKind.SOCIAL_CARE in fit.kinds and not fit.digital_rules


def test_a_pharmacy_committee_is_not_the_pharmaceutical_industry():
    fit = partner_fit("", [], {PARTNERS: "Our PCN and the local pharmaceutical committee"})
    assert not fit.medicines_rules
    assert fit.kinds == {PartnerKind.NHS, PartnerKind.COMMUNITY_PHARMACY}


def _items(named: str, partner_type: str = "") -> list[str]:
    answers = {PARTNERS: named, "risks": "We share patient records under a data sharing plan."}
    return [c.item for c in readiness_checklist(answers, partner_fit(partner_type, [], answers))]


def test_a_council_checklist_has_no_medicines_or_digital_rules_but_its_own_governance():
    items = _items(COUNCIL)
    assert items, "a council partnership still gets a checklist"
    assert not any("prescrib" in i or "executive summary" in i for i in items)
    assert not any("DTAC" in i for i in items)
    assert any("section 75" in i for i in items)
    assert any("data sharing agreement" in i for i in items), "patient data adds IG"


def test_a_charity_checklist_has_no_dtac_and_no_prescribing():
    items = _items(CHARITY, "charity")
    assert not any("DTAC" in i or "DCB0129" in i or "prescrib" in i for i in items)
    assert any("Safeguarding" in i for i in items)


def test_a_pharmaceutical_checklist_keeps_the_medicines_rules():
    items = _items(GOOD_ANSWERS[PARTNERS], "pharmaceutical")
    assert any("No link to prescribing" in i for i in items)
    assert any("public executive summary" in i for i in items)
    assert not any("DTAC" in i for i in items)


def test_a_digital_checklist_has_dtac_and_no_prescribing():
    items = _items(DIGITAL)
    assert any("DTAC" in i for i in items) and not any("prescrib" in i for i in items)


def test_unknown_partners_get_no_checklist_rather_than_a_guess():
    assert readiness_checklist({}, partner_fit()) == []


def test_passages_written_for_another_kind_of_partner_are_left_out():
    council = partner_fit("", [], {PARTNERS: COUNCIL})
    chosen = council.choose([TRIPLE_WIN, DIGITAL_RULES, *PASSAGES, COUNCIL_CASE])
    paths = [p.path for p in chosen]
    assert TRIPLE_WIN.path not in paths and DIGITAL_RULES.path not in paths
    assert "guides/joint-working-rules.md" not in paths, "ABPI named in the text"
    assert paths[0] == COUNCIL_CASE.path, "a council's own case comes first"
    pharma = partner_fit("pharmaceutical")
    assert TRIPLE_WIN in pharma.choose([TRIPLE_WIN, DIGITAL_RULES])
    assert DIGITAL_RULES not in pharma.choose([TRIPLE_WIN, DIGITAL_RULES])
    assert partner_fit().choose([TRIPLE_WIN, DIGITAL_RULES]) == [TRIPLE_WIN, DIGITAL_RULES]


def _conversation(engine: Engine, partners: str, partner_type: str = "") -> list[Reply]:
    """A whole guided conversation with the scripted answers and these partners."""
    answers = {**GOOD_ANSWERS, PARTNERS: partners}
    if partner_type != "pharmaceutical":
        answers[VALUE_PARTNER] = "It gains evidence of what works and contributes staff time."
    started = engine.start(ALICE, "Partner types", partner_type=partner_type)
    draft_id, replies = started.draft_id, [started]
    for key in QUESTION_KEYS:
        reply = engine.handle(ALICE, draft_id, answers[key])
        replies.append(reply)
        if reply.kind == "question" and "Try a new version" in reply.text:
            replies.append(engine.handle(ALICE, draft_id, "skip"))
    return replies


@pytest.fixture
def engine(store):
    return Engine(store, search=FakeSearch(CORPUS))


def _everything_said(replies: list[Reply]) -> str:
    return "\n".join(
        [r.as_text() for r in replies] + [t.text for r in replies for t in r.tips]
    ).casefold()


@pytest.mark.slow  # the council's answers hold names the privacy guard reads with its model
def test_a_council_and_housing_draft_never_gets_abpi_triple_win_or_prescribing(engine):
    replies = _conversation(engine, COUNCIL)
    said = _everything_said(replies)
    assert "triple win" not in said and "abpi" not in said
    final = replies[-1]
    assert final.content is not None
    assert not any("prescrib" in c.item for c in final.content.checklist)
    assert final.content.checklist, "the council's own checklist"
    assert not {c.source for c in final.content.sources} & {TRIPLE_WIN.path}
    value_question = next(r for r in replies if r.question == known_question(VALUE_PARTNER).prompt)
    assert value_question.hint and "council" in value_question.hint
    assert "commercial return" not in value_question.hint


def test_a_charity_draft_gets_no_dtac(engine):
    replies = _conversation(engine, CHARITY, "charity")
    said = _everything_said(replies)
    assert "dtac" not in said and "dcb0129" not in said and "triple win" not in said
    assert replies[-1].content is not None
    assert not any("DTAC" in c.item for c in replies[-1].content.checklist)


def test_a_pharmaceutical_draft_gets_the_triple_win_and_the_prescribing_item(engine):
    replies = _conversation(engine, GOOD_ANSWERS[PARTNERS], "pharmaceutical")
    assert any("triple win" in t.text.casefold() for r in replies for t in r.tips)
    final = replies[-1]
    assert final.content is not None
    assert any("No link to prescribing" in c.item for c in final.content.checklist)


@pytest.mark.slow  # the council's answers hold names the privacy guard reads with its model
def test_no_tip_is_shown_twice_in_a_draft(engine):
    replies = _conversation(engine, COUNCIL)
    opened = [t.text[:80] for r in replies for t in r.tips]
    assert opened, "coaching offers tips"
    assert len(opened) == len(set(opened)), opened


def test_a_form_that_names_a_council_gets_a_first_tip_that_fits(store):
    from bot.coaching.tips import KnowledgeTips

    knowledge = KnowledgeTips(store, FakeSearch(CORPUS))
    council = partner_fit("local_government", ["Riverside County Council"])
    (tip,) = knowledge.tips([TRIPLE_WIN, COUNCIL_CASE], partners=council)
    assert tip.citation.source == COUNCIL_CASE.path
    engine = Engine(store, search=FakeSearch(CORPUS))
    started = engine.start(
        ALICE, "Damp homes", partners=["Riverside County Council"], partner_type="local_government"
    )
    assert not any("triple win" in t.text.casefold() for t in started.tips)


@pytest.mark.parametrize(
    ("named", "known"),
    [
        ("Tamford sexual health clinic and Northgate Pharmacy Group", True),
        ("Our PCN and six community pharmacies", True),
        ("I am the pharmacy lead at Riverside ICB", False),  # a role in an NHS body
    ],
)
def test_a_community_pharmacy_is_a_partner_of_its_own_but_not_the_industry(named, known):
    fit = partner_fit("", [], {PARTNERS: named})
    assert (PartnerKind.COMMUNITY_PHARMACY in fit.kinds) is known
    assert fit.known is known and not fit.medicines_rules
    if known:
        assert TRIPLE_WIN not in fit.choose([TRIPLE_WIN, COUNCIL_CASE])


def test_renamed_partners_decide_their_kind_over_the_form():
    council = {PARTNERS: "Tamford clinic and the county council's public health team"}
    assert standing_partner_type("pharmaceutical", False, [], council) == "pharmaceutical"
    assert standing_partner_type("pharmaceutical", True, [], council) == ""
    fit = partner_fit(standing_partner_type("pharmaceutical", True, [], council), [], council)
    assert PartnerKind.LOCAL_GOVERNMENT in fit.kinds and not fit.medicines_rules
    # names that say nothing of their kind leave the form's type standing
    unnamed = {PARTNERS: "Our trust and Acme"}
    assert standing_partner_type("pharmaceutical", True, [], unnamed) == "pharmaceutical"


def test_a_non_industry_draft_cites_a_guides_public_source_before_the_abpi_code():
    agreement = Passage(
        title="What a partnership agreement contains",
        source="ABPI Code; A Common Understanding 2025",
        path="guides/what-a-partnership-agreement-contains.md",
        heading="Exit strategy",
        kind="guide",
        score=0.5,
        text="Agree how the work ends and how care stays safe.",
        source_urls=("https://pmcpa.org.uk/the-code", "https://www.gov.scot/common-understanding"),
    )
    council = partner_fit("local_government")
    (cited,) = council.choose([agreement])
    assert cited.url == "https://www.gov.scot/common-understanding"
    assert set(cited.source_urls) == set(agreement.source_urls)
    assert partner_fit("pharmaceutical").choose([agreement])[0].url.startswith("https://pmcpa")
    assert partner_fit().choose([agreement])[0] is agreement


def _to_review(engine: Engine, partners: str, partner_type: str) -> str:
    answers = {**GOOD_ANSWERS, PARTNERS: partners}
    answers[VALUE_PARTNER] = "It gains evidence of what works and contributes staff time."
    draft_id = engine.start(ALICE, "Partner types", partner_type=partner_type).draft_id
    for key in QUESTION_KEYS:
        reply = engine.handle(ALICE, draft_id, answers[key])
        if reply.kind == "question" and "Try a new version" in reply.text:
            engine.handle(ALICE, draft_id, "skip")
    return draft_id


def _medicines_rules_in(reply: Reply) -> bool:
    assert reply.content is not None
    return any("prescrib" in c.item for c in reply.content.checklist) or any(
        c.source == TRIPLE_WIN.path for c in reply.content.sources
    )


def test_a_partner_corrected_to_a_council_drops_the_forms_medicines_rules(engine, store):
    draft_id = _to_review(engine, "Our clinic and Northgate Pharmacy Group", "pharmaceutical")
    before = engine.handle(ALICE, draft_id, "show me the draft")
    assert _medicines_rules_in(before), "the form said pharmaceutical"
    reply = engine.handle(
        ALICE,
        draft_id,
        "Actually the partner is the county council's public health team, "
        "not Northgate Pharmacy Group.",
    )
    assert reply.kind == "draft" and "instead of Northgate Pharmacy Group" in reply.text
    assert not _medicines_rules_in(reply)
    assert any("section 75" in c.item for c in reply.content.checklist)


def test_new_partners_given_after_edit_partners_replace_the_old_ones(engine, store):
    draft_id = _to_review(engine, "Our clinic and Northgate Pharmacy Group", "pharmaceutical")
    engine.handle(ALICE, draft_id, "edit partners")
    reply = engine.handle(ALICE, draft_id, "Our clinic and the county council's public health team")
    assert reply.kind == "draft"
    assert not any("Northgate" in p for p in reply.content.partners)
    assert not any("Northgate" in p for p in store.get_draft(ALICE, draft_id).partners)
    assert not _medicines_rules_in(reply)
