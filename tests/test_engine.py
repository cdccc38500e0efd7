"""Whole conversations through the engine in guided mode, with the real store and real search."""

from __future__ import annotations

import threading

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.engine import MAX_MESSAGE_CHARS, Engine
from bot.coaching.stages import QUESTION_KEYS, REVIEW
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.errors import DraftNotFound

ALICE = Actor("T1", "alice")
BOB = Actor("T1", "bob")


@pytest.fixture
def engine(store, fake_search):
    return Engine(store, search=fake_search)


def answer_all(engine: Engine, actor: Actor, draft_id: str, answers=GOOD_ANSWERS):
    reply = None
    for key in QUESTION_KEYS:
        reply = engine.handle(actor, draft_id, answers[key])
        if reply.kind == "question" and reply.question and "Try a new version" in reply.text:
            reply = engine.handle(actor, draft_id, "skip")
    return reply


def test_whole_guided_conversation_ends_in_a_scored_versioned_draft(engine, store):
    start = engine.start(ALICE, "Stroke prevention in AF")
    assert start.stage_number == 1 and start.stage_total == 8
    assert start.question.startswith("Who are the partners")
    final = answer_all(engine, ALICE, start.draft_id)
    assert final.kind == "draft"
    assert final.version == 1
    content, rubric = final.content, final.rubric
    assert "62%" in content.problem_statement
    assert content.problem_statement.count(". ") <= 2  # at most three sentences
    assert content.how_might_we.startswith("How might we")
    assert [p.party for p in content.value_proposition] == [
        "Patients and carers",
        "The NHS organisation",
        "The partner organisation",
    ]
    assert content.checklist, "a pharmaceutical partner needs the joint-working checklist"
    assert content.sources, "the draft cites the knowledge base"
    assert len(rubric.criteria) == 10
    assert rubric.percent >= 70, [(c.id, c.score, c.reason) for c in rubric.criteria]
    draft = store.get_draft(ALICE, start.draft_id)
    assert draft.question_key == REVIEW
    assert set(GOOD_ANSWERS) <= set(draft.answers)
    (version,) = store.versions(ALICE, start.draft_id)
    assert version.coach_mode == "guided" and version.rubric.percent == rubric.percent


def test_solution_first_answer_is_challenged_once(engine, store):
    draft_id = engine.start(ALICE, "Heart failure").draft_id
    engine.handle(ALICE, draft_id, "Our trust and a digital company")
    engine.handle(ALICE, draft_id, "Heart failure at home")
    engine.handle(ALICE, draft_id, "Adults with heart failure in our two boroughs")
    first = engine.handle(ALICE, draft_id, "We need a remote monitoring app for these patients")
    assert "Try a new version" in first.text
    assert store.get_draft(ALICE, draft_id).question_key == "affected.now"
    second = engine.handle(ALICE, draft_id, "We need a remote monitoring app, honestly")
    assert store.get_draft(ALICE, draft_id).question_key == "evidence"
    assert second.question.startswith("What evidence")


def test_back_skip_edit_and_draft_at_any_time(engine, store):
    draft_id = engine.start(ALICE, "AF").draft_id
    engine.handle(ALICE, draft_id, GOOD_ANSWERS["context.partners"])
    engine.handle(ALICE, draft_id, GOOD_ANSWERS["context.topic"])
    back = engine.handle(ALICE, draft_id, "back")
    assert store.get_draft(ALICE, draft_id).question_key == "context.topic"
    assert "stroke prevention" in back.text  # shows the earlier answer to edit
    engine.handle(ALICE, draft_id, "skip")
    assert store.get_draft(ALICE, draft_id).question_key == "affected.who"
    assert (
        store.get_draft(ALICE, draft_id).answers["context.topic"] == GOOD_ANSWERS["context.topic"]
    )
    early = engine.handle(ALICE, draft_id, "draft")
    assert early.kind == "draft" and early.version == 1
    assert store.get_draft(ALICE, draft_id).question_key == "affected.who"  # still in place
    jump = engine.handle(ALICE, draft_id, "edit risks")
    assert store.get_draft(ALICE, draft_id).question_key == "risks"
    assert jump.stage_name.startswith("Risks")
    unknown = engine.handle(ALICE, draft_id, "edit weather")
    assert unknown.kind == "error" and "context" in unknown.text


@pytest.mark.parametrize(
    ("said", "key"),
    [
        ("edit outcome.measures", "outcome.measures"),  # a stored key, as the simulator says it
        ("edit measures", "outcome.measures"),
        ("edit the value for patients", "value.patients"),
        ("edit scope", "outcome.scope"),
        ("edit root cause", "cause.root"),
        ("edit 3", "evidence"),
    ],
)
def test_edit_accepts_a_question_as_people_name_it(engine, store, said, key):
    draft_id = engine.start(ALICE, "AF").draft_id
    reply = engine.handle(ALICE, draft_id, said)
    assert reply.kind != "error", reply.text
    assert store.get_draft(ALICE, draft_id).question_key == key


@pytest.mark.slow  # which passages answer it is the real index's doing
def test_side_question_gets_a_cited_answer_without_losing_place(store, knowledge_search):
    engine = Engine(store, search=knowledge_search)
    draft_id = engine.start(ALICE, "AF").draft_id
    engine.handle(ALICE, draft_id, GOOD_ANSWERS["context.partners"])
    before = store.get_draft(ALICE, draft_id)
    reply = engine.handle(ALICE, draft_id, "what is a driver diagram?")
    after = store.get_draft(ALICE, draft_id)
    assert after.question_key == before.question_key and after.answers == before.answers
    assert reply.kind == "answer"
    assert reply.tips and all(t.citation.source.endswith(".md") for t in reply.tips)
    assert any("driver" in t.citation.source for t in reply.tips)
    assert (
        reply.question == "In a sentence or two, what do you want to work on together, and why now?"
    )


def test_identifiers_are_redacted_before_storage_and_the_user_is_told(engine, store):
    draft_id = engine.start(ALICE, "Discharge").draft_id
    reply = engine.handle(ALICE, draft_id, "The trust, and patient 943 476 5919 told us about it")
    assert reply.notices and "NHS number" in reply.notices[0]
    stored = store.get_draft(ALICE, draft_id).answers["context.partners"]
    assert "943 476 5919" not in stored and "9434765919" not in stored
    history = " ".join(m.text for m in store.recent_messages(ALICE, draft_id, limit=50))
    assert "943 476 5919" not in history


def test_empty_and_enormous_messages_change_nothing(engine, store):
    draft_id = engine.start(ALICE, "AF").draft_id
    before = store.get_draft(ALICE, draft_id)
    empty = engine.handle(ALICE, draft_id, "   ")
    huge = engine.handle(ALICE, draft_id, "x" * (MAX_MESSAGE_CHARS + 1))
    assert empty.kind == "error" and huge.kind == "error"
    assert "Nothing was saved" in huge.text
    after = store.get_draft(ALICE, draft_id)
    assert after.lock_version == before.lock_version and after.answers == before.answers


def test_two_messages_at_once_both_keep_their_answers(store, fake_search):
    engine = Engine(store, search=fake_search)
    draft_id = engine.start(ALICE, "AF").draft_id
    engine.handle(ALICE, draft_id, GOOD_ANSWERS["context.partners"])
    barrier = threading.Barrier(2)
    texts = [GOOD_ANSWERS["context.topic"], GOOD_ANSWERS["affected.who"]]

    def send(text):
        barrier.wait()
        Engine(DraftStore(store.database.url.render_as_string(False)), search=None).handle(
            ALICE, draft_id, text
        )

    threads = [threading.Thread(target=send, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = store.get_draft(ALICE, draft_id).answers
    assert {answers.get("context.topic"), answers.get("affected.who")} == set(texts)
    assert store.get_draft(ALICE, draft_id).question_key == "affected.now"


def test_only_owner_and_shared_users_can_take_turns(engine, store):
    draft_id = engine.start(ALICE, "AF").draft_id
    with pytest.raises(DraftNotFound):
        engine.handle(BOB, draft_id, "hello")
    with pytest.raises(DraftNotFound):
        engine.handle(Actor("T2", "alice"), draft_id, "hello")  # same user id, other workspace
    store.share(ALICE, draft_id, "bob")
    reply = engine.handle(BOB, draft_id, GOOD_ANSWERS["context.partners"])
    assert reply.kind == "question"
    refused = engine.handle(BOB, draft_id, "accept")
    assert refused.kind == "error" and "owner" in refused.text


def test_the_drafts_front_door_checks_access_for_every_operation(store, tmp_path):
    engine = Engine(store, search=None)
    draft_id = engine.start(ALICE, "AF").draft_id
    drafts = engine.drafts
    assert [d.id for d in drafts.list(ALICE)] == [draft_id] and drafts.list(BOB) == []
    with pytest.raises(DraftNotFound):
        drafts.get(BOB, draft_id)
    with pytest.raises(DraftNotFound):
        drafts.link("console:T1:bob", BOB, draft_id)
    assert drafts.owner_of("T1", draft_id) == "alice"  # whom to ask, never the content
    assert drafts.owner_of("T2", draft_id) is None

    drafts.share(ALICE, draft_id, "bob")
    assert drafts.get(BOB, draft_id).title == "AF"
    drafts.link("console:T1:bob", BOB, draft_id)
    assert drafts.linked_owner("console:T1:bob", "T1") == (draft_id, "alice")
    assert engine.current("console:T1:bob", BOB).id == draft_id
    assert drafts.latest_version(BOB, draft_id) is None

    version = engine.compose(ALICE, draft_id).version
    latest = drafts.latest_version(BOB, draft_id)
    assert latest is not None and latest.number == version
    drafts.rate(BOB, latest.id, 1)
    path = drafts.export(BOB, draft_id, "md", tmp_path / "exports")
    assert path.name == f"{draft_id}-v{version}.md" and "AF" in path.read_text()

    assert drafts.unshare(ALICE, draft_id, "bob") is True
    assert drafts.unshare(ALICE, draft_id, "bob") is False
    with pytest.raises(DraftNotFound):
        drafts.rate(BOB, latest.id, -1)
    with pytest.raises(DraftNotFound):
        drafts.export(BOB, draft_id, "md", tmp_path / "exports")


def test_a_slack_retry_is_claimed_once(store):
    engine = Engine(store, search=None)
    assert engine.claim_event("Ev1") is True
    assert engine.claim_event("Ev1") is False
    assert Engine(store, search=None).claim_event("Ev2") is True


def test_a_new_process_resumes_the_conversation(tmp_path, fake_search, new_drafts_db):
    url = new_drafts_db(tmp_path / "resume.db")
    first = Engine(DraftStore(url), search=fake_search)
    draft_id = first.start(ALICE, "AF", conversation_key="console:T1:alice").draft_id
    first.handle(ALICE, draft_id, GOOD_ANSWERS["context.partners"])
    del first  # the process "dies" between turns
    second = Engine(DraftStore(url), search=fake_search)
    draft = second.current("console:T1:alice", ALICE)
    assert draft is not None and draft.id == draft_id
    resumed = second.open(ALICE, draft_id)
    assert resumed.question.startswith("In a sentence or two")


def test_review_accepts_rewrites_and_final(engine, store):
    draft_id = engine.start(ALICE, "AF").draft_id
    answer_all(engine, ALICE, draft_id)
    rewrite = engine.handle(
        ALICE,
        draft_id,
        "problem: Adults with atrial fibrillation in our 9 practices are under-treated: 62% "
        "are anticoagulated against a target of 80%.",
    )
    assert rewrite.version == 2
    assert rewrite.content.problem_statement.startswith("Adults with atrial fibrillation in our 9")
    hmw = engine.handle(ALICE, draft_id, "hmw: make sure every eligible adult is offered a review")
    assert hmw.content.how_might_we.startswith("How might we make sure")
    help_reply = engine.handle(ALICE, draft_id, "hmm not sure")
    assert "accept" in help_reply.text
    final = engine.handle(ALICE, draft_id, "accept")
    assert "Marked final" in final.text
    draft = store.get_draft(ALICE, draft_id)
    assert draft.status == "final" and draft.question_key == "final"
    assert len(store.versions(ALICE, draft_id)) == 3


def test_engine_works_without_a_knowledge_index(store):
    engine = Engine(store, search=None)
    draft_id = engine.start(ALICE, "AF").draft_id
    reply = engine.handle(ALICE, draft_id, "what is a driver diagram?")
    assert reply.kind == "answer" and "could not find" in reply.text


@pytest.mark.slow
def test_conversation_and_simultaneous_turns_on_postgresql(postgres_database_url, fake_search):
    """The same engine on PostgreSQL: a whole conversation, then two instances racing."""
    with DraftStore(postgres_database_url) as pg:
        engine = Engine(pg, search=fake_search)
        actor = Actor("TPG", "alice")
        draft_id = engine.start(actor, "On PostgreSQL").draft_id
        final = answer_all(engine, actor, draft_id)
        assert final.kind == "draft" and final.rubric.percent >= 70
        other = engine.start(actor, "Race").draft_id
        engine.handle(actor, other, GOOD_ANSWERS["context.partners"])
        barrier = threading.Barrier(2)
        texts = [GOOD_ANSWERS["context.topic"], GOOD_ANSWERS["affected.who"]]

        def send(text):
            with DraftStore(postgres_database_url) as instance:
                barrier.wait()
                Engine(instance, search=None).handle(actor, other, text)

        threads = [threading.Thread(target=send, args=(t,)) for t in texts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        answers = pg.get_draft(actor, other).answers
        assert {answers.get("context.topic"), answers.get("affected.who")} == set(texts)


def test_editing_an_answer_from_the_review_returns_to_the_draft(engine, store):
    draft_id = engine.start(ALICE, "AF").draft_id
    answer_all(engine, ALICE, draft_id)
    jump = engine.handle(ALICE, draft_id, "edit evidence")
    assert "straight back to the draft" in jump.text
    redraft = engine.handle(
        ALICE, draft_id, "Practice registers, April 2024 to March 2025: 58% anticoagulated"
    )
    assert redraft.kind == "draft" and redraft.version == 2
    assert store.get_draft(ALICE, draft_id).question_key == REVIEW
    assert "58%" in " ".join(redraft.content.evidence)
    assert "meta.return_to_review" not in store.get_draft(ALICE, draft_id).answers


def test_showing_the_draft_again_writes_no_version_unless_something_changed(engine, store):
    """ "show me the draft" twice, opening, listing and exporting: one version, the same one
    shown each time; a real change then makes the next version, and a final draft stays final."""
    draft_id = engine.start(ALICE, "AF").draft_id
    for key in QUESTION_KEYS[:3]:
        engine.handle(ALICE, draft_id, GOOD_ANSWERS[key])
    first = engine.handle(ALICE, draft_id, "show me the draft")
    assert first.version == 1 and first.content is not None
    again = engine.handle(ALICE, draft_id, "show me the draft")
    assert again.version == 1 and again.content == first.content
    engine.open(ALICE, draft_id)
    engine.drafts.list(ALICE)
    engine.drafts.render(ALICE, draft_id, "md")
    assert [v.number for v in store.versions(ALICE, draft_id)] == [1]

    changed = engine.handle(ALICE, draft_id, "problem: Only 62% of adults with AF are protected.")
    assert changed.version == 2
    engine.handle(ALICE, draft_id, "accept")
    shown = engine.handle(ALICE, draft_id, "show me the draft")
    assert shown.version == 2 and len(store.versions(ALICE, draft_id)) == 2
    assert store.get_draft(ALICE, draft_id).status == "final", "showing it does not reopen it"


def test_a_typical_thread_is_quiet_tips_only_where_they_help(engine, store):
    """Sound answers move on without a tip; the first question, a weak answer and a side
    question get one (the side answer with its citations); at most one reply in three."""
    started = engine.start(ALICE, "AF")
    draft_id = started.draft_id
    replies = [started]
    for key in QUESTION_KEYS[:6]:
        replies.append(engine.handle(ALICE, draft_id, GOOD_ANSWERS[key]))
    side = engine.handle(ALICE, draft_id, "what is a driver diagram?")
    replies.append(side)
    replies.append(engine.handle(ALICE, draft_id, "thanks"))
    weak = engine.handle(ALICE, draft_id, "stuff")
    replies.append(weak)
    with_tips = [reply for reply in replies if reply.tips]
    assert side.kind == "answer" and side.tips and side.tips[0].citation.source
    assert len(with_tips) * 3 <= len(replies), [r.text[:40] for r in with_tips]
    assert not any(replies[i].tips for i in range(1, 7)), "a sound answer gets no tip"
