"""Alembic environment for the drafts store.

There is no alembic.ini: `DraftStore.migrate()` builds the Config in code and hands over an open
connection (`config.attributes["connection"]`), so migrations run with exactly the engine settings
(SQLite pragmas, transaction mode, locks) the store itself uses.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from bot.drafts.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite can only ALTER via table copies; batch mode keeps future migrations portable.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_online() -> None:
    """Use the caller's connection when given one, else connect to sqlalchemy.url."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    """Emit SQL for a DBA to review instead of touching a database."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
