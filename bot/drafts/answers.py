"""`AnswerStore`: knowledge answers shown outside any draft, and their 👍/👎.

An answer is kept (already guarded by the privacy filter) only so a vote can be cast on it and a
maintainer can read the 👎 ones with `coach eval harvest`; answers and their votes therefore
expire after a retention period rather than staying for ever.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.drafts.models import COACH_MODES, AnswerFeedback, KnowledgeAnswer, utcnow
from bot.drafts.records import Actor, DislikedAnswer
from bot.drafts.storage import (
    Database,
    as_utc,
    cast_vote,
    guard_outages,
    require_choice,
    require_vote,
)
from bot.errors import AnswerNotFound
from bot.settings import DEFAULT_ANSWER_RETENTION_DAYS

# Knowledge answers shown in Slack, and their votes, until a maintainer has had time to review
# the 👎 ones with `coach eval harvest`. The default for any caller that does not pass one; the
# app passes COACH_ANSWER_RETENTION_DAYS, whose default is the same number.
ANSWER_RETENTION = timedelta(days=DEFAULT_ANSWER_RETENTION_DAYS)


class AnswerStore:
    """Knowledge answers as shown, their votes, and their expiry."""

    def __init__(
        self, database: Database, *, retention: timedelta | None = ANSWER_RETENTION
    ) -> None:
        """Answers older than `retention` are expired as new ones are recorded (None keeps
        them for ever)."""
        self._db = database
        self._retention = retention

    def record_answer(
        self,
        actor: Actor,
        place: str,
        *,
        question: str,
        excerpt: str,
        sources: Sequence[str] = (),
        coach_mode: str = "guided",
    ) -> int:
        """Keep a knowledge answer as shown to `actor` at `place`; its id goes on the buttons.

        The caller passes text the privacy guard has already cleaned: this table is read by
        maintainers, so it must never hold what a user typed unguarded.
        """
        require_choice("coach_mode", coach_mode, COACH_MODES)

        def work(session: Session) -> int:
            answer = KnowledgeAnswer(
                workspace_id=actor.workspace_id,
                user_id=actor.user_id,
                place=place,
                question=question,
                excerpt=excerpt,
                sources=list(sources),
                coach_mode=coach_mode,
                created_at=utcnow(),
            )
            session.add(answer)
            session.flush()
            return answer.id

        answer_id = self._db.write_retrying(work)
        self._expire_when_due()
        return answer_id

    def _expire_when_due(self) -> None:
        """Every answer ever shown would otherwise stay, question and all: expire them on the
        same in-app schedule as the Slack event ids, paced by the answers being recorded."""
        retention = self._retention
        if retention is None:
            return
        self._db.expire_when_due(
            "knowledge answers", lambda: self.forget_answers(utcnow() - retention)
        )

    def forget_answers(self, before: datetime) -> int:
        """Drop knowledge answers shown before `before`, with their votes; how many answers went.

        The votes are deleted explicitly rather than left to ON DELETE CASCADE, so a connection
        that did not switch SQLite's foreign keys on cannot leave votes pointing at nothing.
        """
        expired = KnowledgeAnswer.created_at < before
        with self._db.writes() as session, session.begin():
            session.execute(
                delete(AnswerFeedback)
                .where(AnswerFeedback.answer_id.in_(select(KnowledgeAnswer.id).where(expired)))
                .execution_options(synchronize_session=False)
            )
            result = session.execute(
                delete(KnowledgeAnswer).where(expired).execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def record_answer_feedback(self, actor: Actor, answer_id: int, place: str, value: int) -> None:
        """Record +1/-1 on an answer shown at `place` in the actor's workspace; voting again
        replaces the old vote. Anything else (no such answer, another workspace, a button value
        copied elsewhere) is AnswerNotFound."""
        require_vote(value)

        def work(session: Session) -> None:
            answer = session.get(KnowledgeAnswer, answer_id)
            if answer is None or answer.workspace_id != actor.workspace_id or answer.place != place:
                raise AnswerNotFound(f"no answer {answer_id} here")
            cast_vote(session, AnswerFeedback, actor.user_id, value, answer_id=answer_id)

        self._db.write_retrying(work)

    def disliked_answers(
        self, since: datetime | None = None, limit: int = 50
    ) -> list[DislikedAnswer]:
        """Knowledge answers with a 👎 (newer than `since`), most recently voted first, in any
        workspace: a maintainer's view of what the knowledge base answers badly. It takes no
        actor, so no adapter's turn reaches it."""
        votes = (
            select(
                AnswerFeedback.answer_id,
                func.count().label("down"),
                func.max(AnswerFeedback.created_at).label("last"),
            )
            .where(AnswerFeedback.value == -1)
            .group_by(AnswerFeedback.answer_id)
        )
        if since is not None:
            votes = votes.where(AnswerFeedback.created_at >= since)
        voted = votes.subquery()
        query = (
            select(KnowledgeAnswer, voted.c.down, voted.c.last)
            .join(voted, voted.c.answer_id == KnowledgeAnswer.id)
            .order_by(voted.c.last.desc(), KnowledgeAnswer.id.desc())
            .limit(limit)
        )
        with self._db.reads() as session:
            return [
                DislikedAnswer(
                    answer_id=answer.id,
                    workspace_id=answer.workspace_id,
                    question=answer.question,
                    excerpt=answer.excerpt,
                    sources=list(answer.sources or []),
                    coach_mode=answer.coach_mode,
                    votes_down=int(down),
                    last_voted_at=as_utc(last),
                )
                for answer, down, last in session.execute(query)
            ]


guard_outages(AnswerStore)
