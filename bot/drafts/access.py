"""Who may see and change a draft, as SQL and as checks, in one place.

Every read path of `DraftStore` goes through `visible_draft` or `visible_to`, so "no access" looks
exactly like "no such draft" (`DraftNotFound`) and ids cannot be probed. Workspaces are hard
boundaries: the same user id in another workspace is a different person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, union
from sqlalchemy.orm import Session, aliased

from bot.drafts.models import Draft, DraftShare, DraftVersion
from bot.drafts.records import Actor
from bot.errors import DraftNotFound, NotOwner

MAX_USER_ID_CHARS = 64
# The two aliases of the drafts table `visible_to` reads, made once: a fresh alias builds a proxy
# of every column each time it is used, so building the access condition would cost more than
# running it (about 5 ms a store read, several reads a turn).
_MINE, _THEIRS = aliased(Draft), aliased(Draft)


def listing_for(actor: Actor) -> Select[Any]:
    """The query behind `DraftStore.list_drafts`: the actor's visible drafts, newest first, each
    with its newest version's rubric. A function of its own so a test can read its query plan."""
    # The newest version of each listed draft only: grouping the whole versions table first
    # would make the list cost grow with everyone's drafts (0.5 s at 100k; benchmarks/growth.py).
    newest = (
        select(func.max(DraftVersion.number))
        .where(DraftVersion.draft_id == Draft.id)
        .correlate(Draft)
        .scalar_subquery()
    )
    return (
        select(
            Draft.id,
            Draft.title,
            Draft.owner_id,
            Draft.status,
            Draft.question_key,
            Draft.updated_at,
            DraftVersion.rubric,
        )
        .where(visible_to(actor))
        .outerjoin(
            DraftVersion,
            and_(DraftVersion.draft_id == Draft.id, DraftVersion.number == newest),
        )
        .order_by(Draft.updated_at.desc(), Draft.id)
    )


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: the draft is in the actor's workspace and owned by or shared with them.

    The ids come from a union of two indexed look-ups (the owner's drafts; the drafts shared with
    them, in their workspace), each checking the workspace itself. An OR over the drafts table,
    or a workspace test beside the IN, let SQLite read every draft in the workspace instead, so
    each turn and list cost more as other people's drafts grew (benchmarks/growth.py).
    """
    mine, theirs = _MINE, _THEIRS
    owned = select(mine.id).where(
        mine.workspace_id == actor.workspace_id, mine.owner_id == actor.user_id
    )
    # The shared draft's workspace is looked up by its id, once per share the user holds: a
    # join here let SQLite start from every draft in the workspace instead.
    workspace_of_shared = (
        select(theirs.workspace_id).where(theirs.id == DraftShare.draft_id).scalar_subquery()
    )
    shared = select(DraftShare.draft_id).where(
        DraftShare.user_id == actor.user_id, workspace_of_shared == actor.workspace_id
    )
    return Draft.id.in_(union(owned, shared).scalar_subquery())


def visible_draft(
    session: Session, actor: Actor, draft_id: str, *, for_update: bool = False
) -> Draft:
    """Load a draft the actor may see, else DraftNotFound.

    `for_update` row-locks it (PostgreSQL; SQLite's write transactions already serialise) so
    writers to the same draft queue up instead of racing into conflicts and retries.
    """
    stmt = select(Draft).where(Draft.id == draft_id, visible_to(actor))
    if for_update:
        stmt = stmt.with_for_update()
    draft = session.scalars(stmt).first()
    if draft is None:
        raise DraftNotFound(f"no draft {draft_id!r}")
    return draft


def require_owner(draft: Draft, actor: Actor) -> None:
    if draft.owner_id != actor.user_id:
        raise NotOwner(f"only the owner can change draft {draft.id}'s status or sharing")


def require_owner_for_changes(draft: Draft, actor: Actor, *, status: str | None) -> None:
    """(Un)archiving is the owner's call; finishing a draft is anyone's."""
    archiving = (
        status is not None and status != draft.status and "archived" in (status, draft.status)
    )
    if archiving:
        require_owner(draft, actor)


def require_user_id(user_id: str) -> None:
    """A user id to share with: a name or Slack id, never blank, never control characters."""
    if not user_id or not user_id.strip():
        raise ValueError("the user to share with is empty")
    if len(user_id) > MAX_USER_ID_CHARS or not user_id.isprintable():
        raise ValueError(f"{user_id!r} is not a user id")
