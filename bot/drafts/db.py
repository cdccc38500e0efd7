"""Engine construction and migrations for the drafts store.

SQLite is the default (one file in the data dir) and must still behave when a console and a Slack
worker share that file, so it gets WAL (readers never block the writer), a 10 s busy timeout
(writers queue instead of failing) and foreign keys (off by default in SQLite). Write transactions
start with BEGIN IMMEDIATE: a deferred transaction that reads and then writes can be refused
outright in WAL mode when another writer got in first, which the busy timeout cannot fix.

PostgreSQL works from a URL alone; its driver is only imported by SQLAlchemy when such a URL is
actually used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_S = 10

# Execution option read by the SQLite "begin" hook: which BEGIN flavour to emit.
_BEGIN_MODE = "coach_sqlite_begin"
# Arbitrary constant key so concurrent PostgreSQL migrators queue rather than collide.
_PG_MIGRATION_LOCK = 0x636F616368  # "coach"


def create_store_engine(url: str) -> Engine:
    """An engine for `url`, tuned for SQLite when that is what the URL names."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True)


def writer(engine: Engine) -> Engine:
    """The same engine (and pool), but its transactions take SQLite's write lock up front."""
    return engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})


def migrate(engine: Engine) -> None:
    """Upgrade the schema to head, serialised so two processes starting together are safe."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _is_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


def _sqlite_engine(url: URL) -> Engine:
    memory = _is_memory(url)
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
    }
    if memory:
        # One shared connection, or every pooled connection would see its own empty database.
        kwargs["poolclass"] = StaticPool
    elif not (url.database or "").startswith("file:"):
        Path(url.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect(wal=not memory))
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(*, wal: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook, not pysqlite's heuristics, decide when transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    return on_connect


def _sqlite_on_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
