"""Drafts: the persistent home of every coaching conversation.

- `content`: the DraftContent / RubricScore schema every part of the bot shares.
- `repository`: `DraftStore`, `Actor` and the errors; the only way in or out of the database.
- `records`: the frozen values `DraftStore` returns (never ORM objects).
- `outline`: the one outline of a draft that the console, Slack, Markdown and Word render.
- `models`, `db`, `migrations/`: tables, engine tuning and Alembic history.
- `export`: JSON, Markdown and .docx renderings for a partnership meeting.

Nothing is re-exported here so that importing `bot.drafts.content` stays cheap and does not pull
in SQLAlchemy, Alembic or python-docx.
"""
