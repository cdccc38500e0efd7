"""The answer composer: short cited answers from passages, with no model and no index.

Passages here are written for the tests; sentences are scored by their words (the embedder has no
dimensions, as in `FakeSearch`), so what is checked is composition: what leads, how sentences are
cited, what is left out, and how long the answer is.
"""

from __future__ import annotations

import re

import pytest

from bot.retrieval.answer_context import NO_CONTEXT, AnswerContext
from bot.retrieval.answering import NO_ANSWER, answer, compose_answer
from bot.retrieval.passage import Passage
from bot.retrieval.question_kinds import question_type
from bot.retrieval.quotable import answer_sentences
from bot.retrieval.sentence_vectors import SentenceVectors
from tests.fakes.search import WORDLESS, FakeSearch


def passage(
    path: str, text: str, kind: str = "guide", score: float = 1.0, url: str = ""
) -> Passage:
    title = path.rsplit("/", 1)[-1].removesuffix(".md").replace("-", " ").capitalize()
    return Passage(
        title=title,
        source=f"Test source for {title}",
        path=path,
        heading="",
        kind=kind,
        score=score,
        text=text,
        source_urls=(url or f"https://example.org/{path}",),
    )


PUBLICATION = passage(
    "guides/publication.md",
    "Partners agree the summary together and keep it short. The public summary of a joint "
    "working agreement must be published before the project starts, in 2024 and every year "
    "after. Each partner names one person who checks the wording.",
)
DRIVER = passage(
    "frameworks/driver-diagrams.md",
    "Teams draw one in a workshop with every partner in the room. A driver diagram is a "
    "one-page picture linking an aim to the drivers that shape it and the change ideas that act "
    "on them. Bring it to every partnership meeting and update it.",
)
DATA = passage(
    "guides/data.md",
    "Many partnerships involve records held by general practices. A company may see patient "
    "data only as a processor under a written contract, with the minimum data needed and a "
    "data protection impact assessment done first. Tell patients how their data is used.",
)
MARKDOWN = passage(
    "guides/markdown.md",
    "## A heading that must not show\n\n**Joint working** needs a [written agreement]"
    "(https://example.org/agreement) signed by both organisations before work begins.\n\n"
    "- The agreement names an *accountable lead* for each partner.\n"
    "- It sets out an `exit strategy` for when the project ends early.\n",
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When must the summary be published?", "when"),
        ("what is a driver diagram", "definition"),
        ("What does DTAC mean?", "definition"),
        ("can the company see patient data?", "can"),
        ("so can they see our data or not", "can"),
        ("do we need a DPIA before the pilot?", "can"),
        ("is there an example of a falls service?", "example"),
        ("Who should sign the agreement?", "who"),
        ("how do we measure success", "how"),
        ("why does a mismatch matter", "why"),
        ("what do we actually have to put in the public summary", "list"),
        # the scene set first: the question is the clause that asks
        ("if the pilot works do we have to tender the service afterwards", "can"),
        ("our statement keeps saying 'we need an app', how do we fix it", "how"),
        ("people keep mentioning the magenta book, what is it", "definition"),
        ("if they pull out when the pilot ends what happens", "other"),
        ("the icb want a balancing measure in the plan, whats that", "definition"),
        ("whats the main lesson from take air", "other"),  # not asking what a lesson is
        ("whats in it for them though", "other"),  # the partner's gain, not a definition
    ],
)
def test_the_kind_of_question_is_read_from_its_opening(question, kind):
    assert question_type(question) == kind


def test_a_when_question_leads_with_the_sentence_holding_the_date():
    found = compose_answer("When must the public summary be published?", [PUBLICATION, DRIVER])
    assert "2024" in found.sentences[0].text
    assert found.kind == "when"


def test_a_what_is_question_leads_with_the_definition():
    found = compose_answer("what is a driver diagram?", [DRIVER, PUBLICATION])
    assert found.sentences[0].text.startswith("A driver diagram is a one-page picture")


def test_a_can_question_opens_with_the_condition_the_sentences_give():
    found = compose_answer("can the company see patient data?", [DATA, PUBLICATION])
    assert found.text.startswith("It depends: only as a processor under a written contract")
    assert found.lead.removeprefix("It depends: ").rstrip(".") in DATA.text, "never invented"


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("A company must not be given access to identifiable patient records at all.", "No."),
        ("A company can see aggregate figures for the whole practice population.", "Yes."),
    ],
)
def test_yes_and_no_come_from_the_lead_sentence_wording(sentence, verdict):
    source = passage("guides/rule.md", f"{sentence} Ask the data protection officer first.")
    found = compose_answer("can the company see patient data?", [source])
    assert found.text.startswith(verdict)


def test_no_verdict_is_guessed_when_the_wording_settles_nothing():
    story = passage(
        "cases/story.md",
        "The trust shared the records of many patients with the technology company. "
        "The regulator investigated the sharing and published its findings later.",
        kind="case",
    )
    found = compose_answer("can the company see patient data?", [story])
    assert found.lead == "" and found.text.startswith("The trust shared")


def test_every_sentence_carries_a_numbered_citation_that_traces_to_its_passage():
    passages = [PUBLICATION, DRIVER, DATA]
    found = compose_answer("when is the summary published and what is a driver diagram?", passages)
    numbers = [s.n for s in found.sentences]
    assert [c.n for c in found.citations] == list(range(1, len(found.citations) + 1))
    assert set(numbers) == {c.n for c in found.citations}
    by_number = {c.n: c for c in found.citations}
    for said in found.sentences:
        cited = next(p for p in passages if p.path == by_number[said.n].path)
        assert said.text in cited.text, "a cited sentence is the passage's own words"
        assert by_number[said.n].source_url == cited.url and by_number[said.n].title == cited.title
    marks = [int(n) for n in re.findall(r"\[(\d+)\]", found.text)]
    assert len(marks) == len(found.sentences), "one mark after every sentence"


def test_no_raw_markdown_reaches_the_answer():
    found = compose_answer("what goes in a joint working agreement?", [MARKDOWN])
    assert found.found
    for mark in ("**", "##", "](", "`", "- ", "*accountable"):
        assert mark not in found.text
    assert "written agreement signed by both organisations" in found.text


def test_a_list_is_kept_with_the_sentence_that_introduces_it():
    text = (
        "A partnership agreement sets out the basics for every partner:\n"
        "- the objectives;\n- the accountable lead;\n- the exit strategy.\n"
    )
    assert answer_sentences(text) == [
        "A partnership agreement sets out the basics for every partner: the objectives; "
        "the accountable lead; the exit strategy."
    ]


def test_placeholders_and_illustrative_examples_are_never_quoted():
    example = passage(
        "cases/example.md",
        "Illustrative only: not the company's words. \"Patients in [area] wait [weeks] for a "
        'review of their care plan."',
        kind="case",
    )
    bracketed = passage(
        "guides/template.md",
        "Success is [measure] improving from [baseline] to [target] by the date agreed. "
        "Agree the measures with every partner before the work starts.",
    )
    found = compose_answer("what does success look like for patients?", [example, bracketed])
    assert "[" not in re.sub(r" \[\d+\]", "", found.text)
    assert "Illustrative" not in found.text


def test_the_answer_stays_under_200_words_in_whole_sentences():
    long_text = " ".join(
        [
            "Partners agree measures by first writing down the baseline for each outcome they "
            "care about, using last year's practice registers or hospital episode statistics, "
            "and naming who will collect each figure and how often it will be refreshed.",
            "Every measure needs a target and a date, because a measure without a target cannot "
            "tell the partnership board whether the work is on track or whether the plan should "
            "change before more money and staff time are committed to it.",
            "Balancing measures show harm elsewhere in the system: if people leave hospital "
            "sooner, the share readmitted within thirty days tells partners whether faster "
            "discharge is simply moving the problem back into the emergency department.",
            "Process measures such as reviews completed, searches run or clinics held show "
            "whether the changes are really being made, long before outcome measures like "
            "strokes avoided or admissions saved can move far enough to be seen.",
            "Agreeing measures early matters to the company as well, because its evidence of "
            "value depends on figures collected the same way before and after the change, and "
            "on a data source that both organisations trust and can check independently.",
            "Keep the list short: three to five measures that partners will actually collect "
            "beat a long list that nobody maintains, and each partner should see at least one "
            "measure that reflects the benefit it hoped to get from the partnership.",
        ]
    )
    found = compose_answer(
        "how do partners agree measures?", [passage("guides/long.md", long_text)]
    )
    assert 2 <= len(found.sentences) <= 5
    assert found.words < 200
    assert all(s.text.endswith(".") for s in found.sentences)


def test_one_story_told_three_times_does_not_crowd_out_the_guide():
    parts = (
        "In the Royal Free case the trust shared 1.6 million patient records with the company "
        "for testing. Patients were not told that their data was shared with the company.",
        "The regulator ruled in 2017 that sharing the patient data with the company breached "
        "the law. The company could see patient data the trust had not minimised.",
        "The Royal Free lesson: the company saw patient data before anyone assessed the risk. "
        "Patients did not know the company could see their data.",
    )
    retellings = [passage("cases/royal-free.md", text, "case") for text in parts]
    guide = passage(
        "guides/data.md",
        "A company may see patient data only as a processor under a written contract, with "
        "the minimum data needed and a data protection impact assessment done first.",
        score=0.5,
    )
    found = compose_answer("can the company see patient data?", [*retellings, guide])
    assert "processor" in found.text, "the guide that answers is in the answer"
    texts = [s.text for s in found.sentences]
    assert len(texts) == len(set(texts)), "no sentence twice"
    assert sum("Royal Free" in t or "regulator" in t or "not told" in t for t in texts) <= 2


def test_near_duplicate_sentences_from_different_documents_are_said_once():
    first = passage(
        "guides/a.md", "The public summary must be published before the project starts."
    )
    second = passage(
        "guides/b.md", "The public summary must be published before the project starts, always."
    )
    found = compose_answer("when is the public summary published?", [first, second, DRIVER])
    assert sum("public summary must be published" in s.text for s in found.sentences) == 1


def test_nothing_readable_is_no_answer_rather_than_a_fragment():
    fragment = passage("guides/f.md", "and then the rest of a sentence cut by the chunker")
    found = compose_answer("what is this?", [fragment])
    assert not found.found and found.text == NO_ANSWER and found.citations == ()


def test_as_json_is_the_shape_coach_ask_prints():
    found = answer(FakeSearch([PUBLICATION, DRIVER, DATA]), "what is a driver diagram?", k=2)
    shape = found.as_json()
    assert set(shape) == {"answer", "citations", "passages"}
    assert len(shape["passages"]) == 2, "the answer reads more passages than it shows"
    assert all(set(c) == {"n", "title", "source_url", "path"} for c in shape["citations"])


def test_the_company_means_the_drafts_partner():
    question = "what does the company get out of this?"
    pharma = AnswerContext.for_draft("pharmaceutical").query(question)
    council = AnswerContext.for_draft("", ["Leeds City Council"]).query(question)
    digital = AnswerContext.for_draft("digital").query(question)
    assert "pharmaceutical company get" in pharma
    assert "the council get" in council
    assert "digital company get" in digital
    assert AnswerContext().query("what is a driver diagram?") == "what is a driver diagram?"


def test_each_partner_gets_the_sentence_about_its_own_kind():
    value = passage(
        "guides/value.md",
        "Every partner should say what it gains from the partnership. A pharmaceutical company "
        "gains a shared view of health challenges linked to its medicines. A council gains "
        "lower care costs and more independence for residents. A digital company gains a "
        "reference site and real-world evidence for its product.",
    )
    question = "what does the company get out of this?"
    leads = {
        kind: compose_answer(question, [value], context=AnswerContext.for_draft(kind))
        .sentences[0]
        .text
        for kind in ("pharmaceutical", "local_government", "digital")
    }
    assert leads["pharmaceutical"].startswith("A pharmaceutical company gains")
    assert leads["local_government"].startswith("A council gains")
    assert leads["digital"].startswith("A digital company gains")


class CountingEmbedder:
    """Two-dimensional vectors from a sentence's length, counting what it was asked to embed."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += texts
        return [[1.0, float(len(t) % 7)] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_sentence_vectors_are_kept_on_disk_and_embedded_once(tmp_path):
    path = tmp_path / "sentence_vectors.npz"
    first = SentenceVectors(CountingEmbedder(), path, "model-a")
    sentences = answer_sentences(DRIVER.text + " " + DATA.text)
    assert first.prepare(sentences) == len(sentences)
    assert path.stat().st_mode & 0o777 == 0o600

    embedder = CountingEmbedder()
    again = SentenceVectors(embedder, path, "model-a")
    assert again.embed_documents(sentences) == first.embed_documents(sentences)
    assert embedder.embedded == [], "a new process reads them from the file"

    other_model = CountingEmbedder()
    SentenceVectors(other_model, path, "model-b").embed_documents(sentences[:1])
    assert other_model.embedded == sentences[:1], "another model's vectors are not trusted"


def test_a_dimensionless_embedder_falls_back_to_words():
    found = compose_answer(
        "what is a driver diagram?", [DRIVER], SentenceVectors(WORDLESS, None, "x")
    )
    assert found.sentences[0].text.startswith("A driver diagram is")


def test_a_sentence_that_only_continues_the_chosen_one_comes_with_it():
    source = passage(
        "guides/review.md",
        "Partners review the measures every quarter at the partnership board. This means the "
        "board sees whether the change works before the next budget round. Unrelated sentences "
        "about catering arrangements at venues fill the rest of this passage today.",
    )
    found = compose_answer("how often do partners review the measures?", [source])
    texts = [s.text for s in found.sentences]
    assert texts[:2] == [
        "Partners review the measures every quarter at the partnership board.",
        "This means the board sees whether the change works before the next budget round.",
    ]


def test_a_list_under_its_heading_or_with_long_labelled_items_is_one_sentence():
    results = "Some context for the case comes first.\n\n### Results\n\n" + "\n".join(
        f"- Item {n} reached {n * 100} practices within {n} weeks of the start." for n in (1, 2)
    )
    assert "Results: item 1 reached 100 practices within 1 weeks of the start; item 2 reached " in (
        " ".join(answer_sentences(results))
    )
    questions = "It starts with three questions:\n\n" + "\n".join(
        f"{n}. **{q}** " + "A long explanation follows here with many more words. " * 4
        for n, q in enumerate(["What is the aim?", "How will we know?", "What can we change?"], 1)
    )
    assert answer_sentences(questions)[0] == (
        "It starts with three questions: what is the aim?; how will we know?; what can we change?"
    )


def test_a_what_are_the_stages_question_gets_the_documents_own_sections():
    cycle = passage(
        "frameworks/collaboration-cycle.md",
        "A partnership moves through recognisable stages from first contact to closure.",
    )
    sections = {
        "frameworks/collaboration-cycle.md": [
            "Connecting",
            "Contracting",
            "Collaborating",
            "Closing",
        ]
    }
    found = compose_answer(
        "what are the stages of the collaboration cycle",
        [cycle],
        outline=lambda path: sections.get(path, []),
    )
    assert found.kind == "list"
    assert found.sentences[0].text == (
        "Collaboration cycle: connecting; contracting; collaborating; closing."
    )
    assert found.sentences[0].n == 1 and found.citations[0].path == cycle.path


@pytest.mark.parametrize("stdin", [None, "what is a driver diagram?\nwho signs?\n"])
def test_coach_ask_keeps_the_vectors_it_learnt_once_after_answering(monkeypatch, tmp_path, stdin):
    """Both `coach ask` paths (one question, or one a line from stdin) ask the search to keep
    what it embedded, once, after the answers are printed."""
    import sys
    import types

    from typer.testing import CliRunner

    fake = FakeSearch([DRIVER, DATA])
    # the real module would load Chroma; the command imports its search class from it
    search_module = types.ModuleType("bot.retrieval.search")
    search_module.KnowledgeSearch = lambda *_a, **_k: fake  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.retrieval.search", search_module)
    monkeypatch.delitem(sys.modules, "bot.console.asking", raising=False)
    import bot.console.asking
    from bot.cli import app

    monkeypatch.setattr(bot.console.asking, "redact_text", lambda text: text)
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path))
    question = "-" if stdin else "what is a driver diagram?"
    result = CliRunner().invoke(app, ["ask", "--json", question], input=stdin)
    assert result.exit_code == 0, result.output
    assert '"answer"' in result.output
    assert fake.kept == 1


def test_a_labelled_item_shortened_out_of_its_list_still_answers_what_it_defines():
    text = "The Code makes each arrangement checkable in three ways:\n\n" + "\n".join(
        f"- **{label}:** " + f"{body} " + "Further detail follows in more words here. " * 6
        for label, body in (
            ("Certification", "Senior signatories check the paperwork before it starts."),
            ("Public summaries", "Partners publish a short account of the project first."),
            ("Disclosure UK", "An industry-run public database lists transfers of value."),
        )
    )
    kept = answer_sentences(text)
    assert kept[0] == (
        "The Code makes each arrangement checkable in three ways: certification; public "
        "summaries; Disclosure UK."
    )
    assert "Disclosure UK: An industry-run public database lists transfers of value." in kept
    found = compose_answer("what is Disclosure UK?", [passage("guides/code.md", text)])
    assert found.sentences[0].text.startswith("Disclosure UK: An industry-run public database")


def test_a_continuation_of_the_lead_displaces_a_weaker_sentence_when_the_answer_is_full():
    idea = passage(
        "frameworks/shared-value.md",
        "Shared value is an idea two economists set out in a business journal in 2011. They "
        "argued that companies can grow the total pool of value by meeting social needs. "
        + " ".join(
            f"Shared value in a partnership also touches point number {n} of the plan."
            for n in range(1, 6)
        ),
    )
    found = compose_answer("what is shared value?", [idea])
    texts = [s.text for s in found.sentences]
    assert texts[0].startswith("Shared value is an idea")
    assert texts[1].startswith("They argued"), texts
    assert len(texts) <= 5


def test_the_documents_sections_answer_only_a_question_about_the_whole_document():
    guide = passage(
        "guides/information-governance.md",
        "The Caldicott principles are the NHS rules for confidential information: justify the "
        "purpose; use the minimum needed; give access on a need-to-know basis.",
    )
    sections = {guide.path: ["Lawful basis", "Controller or processor", "Caldicott", "DSPT"]}
    found = compose_answer(
        "caldicott principles in a nutshell?", [guide], outline=lambda p: sections.get(p, [])
    )
    assert found.sentences[0].text.startswith("The Caldicott principles are")
    assert not any("Controller or processor" in s.text for s in found.sentences)


def test_collaborative_working_is_not_read_as_asking_whether_it_worked():
    assert "measure" not in NO_CONTEXT.query("What is collaborative working under the Code?")
    assert "measure" in NO_CONTEXT.query("how will we know it worked?")


def test_what_is_an_acronym_says_what_it_stands_for_in_its_documents_words():
    from dataclasses import replace

    guide = replace(
        passage(
            "guides/digital.md",
            "The DTAC is the national baseline that digital products must meet before NHS "
            "organisations adopt them. It covers clinical safety and data protection.",
        ),
        heading="Digital partners: the Digital Technology Assessment Criteria (DTAC)",
    )
    found = compose_answer("What is the DTAC?", [guide])
    assert found.sentences[0].text.startswith(
        "The DTAC (Digital Technology Assessment Criteria) is the national baseline"
    )
    alone = passage("guides/other.md", "The DTAC is the baseline that digital products meet.")
    assert "(" not in compose_answer("What is the DTAC?", [alone]).text, "nothing invented"


def test_a_sentence_pointing_back_comes_after_the_sentence_it_means():
    guide = passage(
        "guides/digital.md",
        "Digital partners meet several national checks before adoption. The assessment "
        "criteria are the national baseline for digital products. It brings law and good "
        "practice on clinical safety and data protection into one question set.",
    )
    found = compose_answer("which checks cover clinical safety and data protection?", [guide])
    texts = [s.text for s in found.sentences]
    pointing = next(i for i, t in enumerate(texts) if t.startswith("It brings"))
    assert pointing > 0 and texts[pointing - 1].startswith("The assessment criteria are")


def test_signed_up_to_a_code_is_membership_not_a_contract():
    asked = NO_CONTEXT.query("which code are they signed up to")
    assert "members" in asked and "written agreement" not in asked
    assert "written agreement" in NO_CONTEXT.query("who has to sign it?")


def test_a_quoted_example_in_the_question_weighs_less_than_what_is_asked():
    from collections import Counter

    from bot.retrieval.answering import _weighted_terms

    counts = Counter(_weighted_terms("'we need more nurses' - is that a cause or a symptom?"))
    assert counts["symptom"] == 2 and counts["caus"] == 2 and counts["nurs"] == 1
    assert _weighted_terms("what's in it for them?") == [], "an apostrophe is not a quote"


def test_its_opening_a_sentence_points_back_too():
    guide = passage(
        "cases/clinic.md",
        "Leeds set up a pharmacist-led clinic after heart attacks for people with diabetes. "
        "Its published aims were to reduce cardiovascular risk and improve diabetes control. "
        "Meetings were held monthly in the cardiology department with minutes taken.",
    )
    found = compose_answer("what were the published aims for diabetes control?", [guide])
    texts = [s.text for s in found.sentences]
    pointing = texts.index(next(t for t in texts if t.startswith("Its published aims")))
    assert pointing > 0 and texts[pointing - 1].startswith("Leeds set up")


def test_being_taken_to_a_conference_is_asked_as_hospitality():
    asked = NO_CONTEXT.query("the rep wants to take our lead pharmacist to a conference, ok?")
    assert "hospitality" in asked and "declare" in asked


def test_what_a_case_achieved_is_answered_from_its_results_section():
    from dataclasses import replace

    story = "cases/clinic.md"
    opening = replace(
        passage(story, "The council and a supplier made care technology part of social care."),
        heading="",
        kind="case",
    )
    results = replace(
        passage(story, "Many more people were referred into the service each week."),
        heading="Reported > Results",
        kind="case",
    )
    found = compose_answer("What did the council's partnership achieve?", [opening, results])
    assert found.sentences[0].text.startswith("Many more people were referred")
    asked_of_another = compose_answer(
        "what did the regulator make the council do?", [opening, results]
    )
    assert asked_of_another.sentences[0].text.startswith("The council and a supplier")


def test_a_fuller_sentence_takes_the_place_of_the_short_one_it_contains():
    """The short sentence scores best on the question's words, but the longer one says the same
    and names the boxes: dropped as its duplicate, the answer would never say what they are."""
    canvas = passage(
        "frameworks/canvas.md",
        "The problem statement canvas has six boxes. Keep each box on the canvas to a few lines. "
        "The problem statement canvas is a one-page grid of six boxes (who, what, where and "
        "when, why it matters, current workaround, and what success looks like).",
    )
    found = compose_answer("What are the boxes of the problem statement canvas?", [canvas])
    assert "current workaround" in found.text
    assert "The problem statement canvas has six boxes." not in found.text


def test_a_leading_definition_keeps_what_it_goes_on_to_require():
    """ "It must…" continues the definition: it comes with it even when other sentences share
    more of the question's words."""
    rules = passage(
        "guides/rules.md",
        "Collaborative working is the umbrella term the Code uses for companies working with the "
        "NHS. It must either enhance patient care or benefit the NHS while at least maintaining "
        "patient care.",
    )
    other = passage(
        "guides/other.md",
        "Collaborative working under the Code differs from a grant for one event. Collaborative "
        "working under the Code needs a written agreement signed by both partners. Under the "
        "Code, the company certifies collaborative working material before it starts. "
        "Collaborative working under the Code ends with published outcomes for the public.",
    )
    found = compose_answer("What is collaborative working under the Code?", [rules, other])
    assert found.sentences[0].text.startswith("Collaborative working is the umbrella term")
    assert "at least maintaining patient care" in found.text


def test_a_list_item_too_long_to_join_its_introduction_is_quoted_as_a_sentence():
    """Items too long to join to "Before accepting a free offer:" stand alone, capitalised and
    ended with a full stop, so an item that opens in lower case is not taken for a fragment."""
    text = (
        "A free offer still needs a decision, because it can create dependency on the supplier. "
        "Before accepting a free offer:\n\n"
        "- agree in writing how long it is free, what happens afterwards, who owns the data and "
        "how it is returned, and how you would switch to another supplier at the end;\n"
        "- check that accepting it does not unfairly favour one supplier in a later procurement, "
        "because practices complained they were denied a meaningful choice when free contracts "
        "were extended without open competition;\n"
        "- find out what the offer is under the supplier's own rules, which for a pharmaceutical "
        "company is usually a donation that must not be linked to any medicine it sells;\n"
    )
    quoted = answer_sentences(text)
    assert (
        "Check that accepting it does not unfairly favour one supplier in a later procurement, "
        "because practices complained they were denied a meaningful choice when free contracts "
        "were extended without open competition." in quoted
    )


def test_what_a_twin_goes_on_to_say_follows_the_sentence_chosen_in_its_place():
    """Two guides give the same advice in other words; the one not chosen goes on "Then list
    three different fixes…", which reads on from the chosen sentence and comes straight after
    it, even when a weaker sentence has to make room."""
    first = passage(
        "guides/root-cause.md",
        "The fix is to ask what the proposed app would achieve for patients and write that down "
        "instead. Solution-first drafts name a product inside the problem statement itself. "
        + " ".join(f"Drafts name products for reason number {n} in this guide." for n in range(4)),
        score=1.0,
    )
    second = passage(
        "frameworks/rubric.md",
        "How to fix a weak one: ask what the app would achieve and write that down. Then list "
        "three quite different fixes and check the statement still fits every one of them.",
        score=0.6,
    )
    found = compose_answer("our draft says we need an app, how do we fix it", [first, second])
    texts = [s.text for s in found.sentences]
    assert texts[0].startswith("The fix is to ask"), texts
    assert texts[1].startswith("Then list three quite different fixes"), texts
    assert not any(t.startswith("How to fix a weak one") for t in texts)  # said once
    assert len(texts) <= 5


def test_a_how_question_favours_the_sentence_that_sets_out_the_steps():
    guide = passage(
        "frameworks/aims.md",
        "Most first drafts of an aim for a partnership are vague and hard to measure. "
        "The pattern for each aim: name the group, choose one number, state the baseline, set "
        "the target and date. Aims in partnership papers are written by many different people.",
    )
    found = compose_answer("how do I turn a vague aim into a proper aim", [guide])
    assert any(s.text.startswith("The pattern for each aim") for s in found.sentences), found.text


def test_a_definition_keeps_the_form_it_goes_on_to_give_but_never_a_gapped_draft():
    """The brackets of a named form are its slots, what "what is a point-of-view statement"
    asks for; a draft with gaps left ("Patients in [area]…") is still never quoted."""
    pov = passage(
        "frameworks/pov.md",
        "A point-of-view statement is a one-sentence framing of a problem from the user's side. "
        'The design school gives the form "[user] needs to [need] because [insight]" for it. '
        + " ".join(f"A point-of-view statement helps partners in workshop {n}." for n in range(5))
        + ' A draft reads "Patients in [area] wait [weeks] for their point-of-view review."',
    )
    found = compose_answer("What is a point-of-view statement?", [pov])
    texts = [s.text for s in found.sentences]
    assert texts[0].startswith("A point-of-view statement is a one-sentence framing")
    assert texts[1].startswith("The design school gives the form"), texts
    assert "[area]" not in found.text


def test_a_sentence_cut_where_its_chunk_ends_is_never_quoted():
    cut = passage(
        "guides/inequalities.md",
        "Core20PLUS5 is NHS England's approach to reducing healthcare inequalities in England. "
        "A partnership that targets one of these groups or areas aligns with",
    )
    kept = answer_sentences(cut.text)
    assert kept == [
        "Core20PLUS5 is NHS England's approach to reducing healthcare inequalities in England."
    ]


def test_a_list_items_short_label_is_joined_to_what_follows_it():
    """ "Treating a deal with one clinician as a partnership." alone is a fragment; what follows
    it alone has lost its point. Joined, the item reads as one sentence."""
    text = (
        "Several things are never permitted:\n\n"
        "- Treating a deal with one clinician as a partnership. Clause 20.1 describes "
        "collaborative working as between organisations, so make the agreement between "
        "organisations and never with one person acting alone.\n"
        "- **Use existing data first.** Routine activity data or audit often already hold the "
        "baseline the partners need, so collect nothing new until you have looked.\n"
        "- Disclosure UK: an industry-run public database. It lists transfers of value.\n"
        "- Working in secret. Projects that start before the agreement is in place and its "
        "summary public, or that hide transfers of value, breach the openness requirement.\n"
    )
    kept = answer_sentences(text)
    assert "Treating a deal with one clinician as a partnership: clause 20.1 describes" in " ".join(
        kept
    )
    assert any(s.startswith("Use existing data first: routine activity data") for s in kept)
    assert "Disclosure UK: an industry-run public database." in kept  # labelled already
    assert "Treating a deal with one clinician as a partnership." not in kept


@pytest.mark.parametrize(
    "lead",
    [
        # "may be" says what something may be, not what is allowed
        "What a company gets from this project may be a shared view of the project's aims.",
        # "can only be" is no permission either
        "A project tied to one company's drug can only be judged by its sales figures.",
    ],
)
def test_no_yes_is_read_from_a_may_be_or_a_can_only_be(lead):
    source = passage("guides/value.md", f"{lead} Partners should write their aims down.")
    found = compose_answer("can the project be tied to the company's drug?", [source])
    assert found.lead == "", found.text


def test_duty_words_alone_never_make_it_depend():
    """A bare "It depends." with no condition to quote tells the reader nothing."""
    source = passage(
        "guides/rules.md",
        "A company paying for a post without pooled skills is not joint working at all. "
        "A partnership must never be a reward for prescribing any medicine.",
    )
    found = compose_answer("can we take their money for a post and call it joint working", [source])
    assert not found.text.startswith("It depends"), found.text


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("totally new to this, who do i even talk to first", "where to start"),
        ("everyone says the real problem is not enough pharmacists", "symptom root cause"),
        ("can we switch people onto their anticoagulant if it goes well", "inducement"),
    ],
)
def test_everyday_worries_are_searched_in_the_knowledge_bases_words(question, words):
    assert words in NO_CONTEXT.query(question)


def test_start_there_brings_the_sentence_that_says_where_and_a_guides_intro_points_nowhere():
    guide = passage(
        "guides/where-to-start.md",
        "Integrated care boards plan health services and hold the NHS budget for an area. "
        "Most boards have a lead for industry partnerships, research or innovation. "
        "Start there to check that the problem you want to work on is a local priority.",
    )
    intro = passage(
        "guides/intro.md",
        "Advice written years ago names bodies that no longer exist in the same form. "
        "This guide explains who to talk to first about a partnership in today's system.",
    )
    found = compose_answer("who should we talk to first at the board", [guide, intro])
    texts = [s.text for s in found.sentences]
    start = next(i for i, t in enumerate(texts) if t.startswith("Start there"))
    assert start > 0 and texts[start - 1].startswith("Most boards have a lead"), texts


@pytest.mark.parametrize(
    ("sentence", "counts"),
    [
        ("The council chose its partner in 2013 after an open procurement.", False),
        ("About 100 new referrals a week came into the service.", True),
        ("The council approved about £67m over ten years.", True),
        ("Uptake rose from 9,600 a year to more than 14,000.", True),
    ],
)
def test_a_year_alone_is_not_the_figure_an_achievement_question_asks_for(sentence, counts):
    """ "What did it achieve?" favours the sentence with the result's figure; a year only
    dates what happened (the case's opening names its procurement year)."""
    from bot.retrieval.answering import _FIGURE

    assert bool(_FIGURE.search(sentence)) is counts


def test_a_sentence_that_steps_on_from_another_never_opens_the_answer():
    canvas = passage(
        "frameworks/canvas.md",
        "Once the boxes of the canvas are filled in, combine them into a short draft statement. "
        "Then score the draft statement with the quality rubric and revise the weakest boxes.",
    )
    rubric = passage(
        "frameworks/rubric.md",
        "The quality rubric is a ten-point check of whether a draft statement is ready to share.",
    )
    found = compose_answer(
        "how is a draft statement scored with the quality rubric?", [canvas, rubric]
    )
    texts = [s.text for s in found.sentences]
    assert not texts[0].startswith("Then"), texts
    then = next(i for i, t in enumerate(texts) if t.startswith("Then"))
    assert texts[then - 1].startswith("Once the boxes"), texts


def test_in_a_council_draft_a_sentence_only_about_pharma_does_not_lead_on_a_stray_word():
    """ "Their cabinet member asked" shares "member" with the ABPI Code's membership rule; in a
    council draft the sentence about what a council gains answers, not the pharma rule."""
    code = passage(
        "guides/code.md",
        "The code applies to pharmaceutical companies that are members, and member companies "
        "accept its authority.",
    )
    value = passage(
        "guides/value.md", "A council gains lower care costs and more independence for residents."
    )
    found = compose_answer(
        "whats in it for them though, their cabinet member asked me",
        [code, value],
        context=AnswerContext.for_draft("local_government"),
    )
    assert found.sentences[0].text.startswith("A council gains"), found.text


def test_before_partners_are_named_the_drafts_title_says_who_the_partner_is():
    assert AnswerContext.for_draft("", [], title="Falls with the county council").partner_kind == (
        "local_government"
    )
    # named partners come first: a title about pharmacy waste does not make a council a company
    named = AnswerContext.for_draft("", ["Tamford Borough Council"], title="Pharma waste")
    assert named.partner_kind == "local_government"
    assert AnswerContext.for_draft("pharmaceutical", [], title="Council falls").partner_kind == (
        "pharmaceutical"
    )


def test_two_wordings_of_one_rule_are_said_once():
    """The rule that the company's gain is never an inducement to prescribe, said in three
    guides in three wordings: the answer says it once and uses the room for another point."""
    texts = (
        "The rules for pharmaceutical companies forbid any partnership being an inducement to "
        "prescribe, so commercial value must come from a better pathway.",
        "For pharmaceutical partners, the company's gain must never be an inducement to "
        "prescribe its products.",
        "The company gain should be stated openly: evidence, reputation, relationships.",
        "A pharmaceutical company may gain a shared view of health challenges with the NHS.",
        "Partnership meetings are held every month at the trust's headquarters in town.",
        "Minutes of each partnership meeting are circulated within the week to every partner.",
        "The venue for partnership meetings is booked by whichever partner hosts them.",
    )
    found = compose_answer(
        "what does the company gain from this partnership?",
        [passage(f"guides/g{i}.md", t) for i, t in enumerate(texts)],
    )
    said = [s.text for s in found.sentences]
    assert sum("inducement to prescribe" in s for s in said) == 1, said


def test_a_made_up_example_gives_way_to_the_guidance():
    guide = passage(
        "frameworks/canvas.md",
        "Say a pharmaceutical company in a partnership plans to improve reviews "
        "(illustrative). A pharmaceutical company gains evidence, reputation and relationships "
        "from a partnership with the NHS. Canvases are drawn on a whiteboard in a workshop. "
        "Each box holds sticky notes written by the people in the room. The facilitator keeps "
        "time and photographs the board at the end.",
    )
    found = compose_answer("what does a pharmaceutical company gain from a partnership?", [guide])
    assert found.sentences[0].text.startswith("A pharmaceutical company gains"), found.text
