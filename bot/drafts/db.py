"""Engine construction and migrations for the drafts store.

SQLite is the default (one file in the data dir) and must still behave when a console and a Slack
worker share that file, so it gets WAL (readers never block the writer), a 10 s busy timeout
(writers queue instead of failing) and foreign keys (off by default in SQLite). Write transactions
start with BEGIN IMMEDIATE: a deferred transaction that reads and then writes can be refused
outright in WAL mode when another writer got in first, which the busy timeout cannot fix.

PostgreSQL works from a URL alone; its driver is only imported by SQLAlchemy when such a URL is
actually used. Other databases are refused up front: they are untested here.

Whatever goes wrong opening the store (a garbage URL, an unreachable server, a corrupt or
read-only file) becomes `StoreUnavailable` with one sentence a user can act on, and URLs in it
never show a password.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.pool import StaticPool

from bot.errors import StoreBusy, StoreUnavailable
from bot.private_files import private_file

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Alembic's bookkeeping table: one row holding the revision the schema is at.
VERSION_TABLE = "alembic_version"
SQLITE_BUSY_TIMEOUT_S = 10

# Execution option read by the SQLite "begin" hook: which BEGIN flavour to emit.
_BEGIN_MODE = "coach_sqlite_begin"
# Arbitrary constant key so concurrent PostgreSQL migrators queue rather than collide.
_PG_MIGRATION_LOCK = 0x636F616368  # "coach"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
PG_CONNECT_TIMEOUT_S = 10


# Transient failures: a server restarting, a connection cut, SQLite locked by another process.
# Anything else (bad SQL, constraint violations) is a bug and must surface as itself.
_TRANSIENT_HINTS = (
    "connection refused",
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "consuming input failed",
    "could not receive data",
    "could not send data",
    "connection timeout expired",
    "timeout expired",
    "ssl syscall error",
    "database is locked",
    "database is busy",
    "database table is locked",
)


def is_transient(error: BaseException) -> bool:
    """True for a failure that a moment's wait may cure: an outage, not a mistake."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    detail = str(error.orig if isinstance(error, DBAPIError) else error).lower()
    return any(hint in detail for hint in _TRANSIENT_HINTS)


def is_locked(error: BaseException) -> bool:
    """SQLite's busy timeout already waited for the lock: retrying would only wait again."""
    detail = str(error.orig if isinstance(error, DBAPIError) else error).lower()
    return "locked" in detail or "database is busy" in detail


def busy_error(error: BaseException, url: str | None = None) -> StoreBusy:
    """The one sentence a user sees when the store is briefly out of reach.

    With `url` (the store failed to open), the sentence also names the cause: a server that is
    restarting and a DATABASE_URL with the wrong port both refuse connections, and whoever
    starts the app needs to see which address refused.
    """
    if url is not None and not is_locked(error):
        return StoreBusy(
            f"{describe_error(error, url)}. If the server is restarting, nothing was lost: "
            "try again in a moment"
        )
    if is_locked(error):
        return StoreBusy(
            "The drafts database is locked by another program (a backup or another coach "
            f"process held it for over {SQLITE_BUSY_TIMEOUT_S} s); nothing was lost: "
            "try again in a moment"
        )
    return StoreBusy(
        "The drafts database is not answering just now (it may be restarting); nothing was "
        "lost: try again in a moment"
    )


def create_store_engine(url: str) -> Engine:
    """An engine for `url`, tuned for SQLite when that is what the URL names."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(
            "DATABASE_URL is not a database URL: use postgresql+psycopg://user:…@host/db "
            "or sqlite:///path/to/coach.db"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise StoreUnavailable(
            f"DATABASE_URL names {backend}, which Partnership Coach does not support: "
            "use PostgreSQL (postgresql+psycopg://…) or SQLite (sqlite:///…)"
        )
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(
        parsed, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S}
    )


def describe_error(error: BaseException, url: str) -> str:
    """One line about a failure to open or use the database at `url`, password masked."""
    if isinstance(error, StoreUnavailable):
        return str(error)
    try:
        parsed = make_url(url)
        where = (
            parsed.database or "memory"
            if parsed.get_backend_name() == "sqlite"
            else parsed.render_as_string(hide_password=True)
        )
    except ArgumentError:
        where = "DATABASE_URL"
    if isinstance(error, NoSuchModuleError | ImportError):
        return f"The database driver for {where} is not installed ({error})"
    detail = str(error.orig) if isinstance(error, DBAPIError) else str(error)
    detail = detail.strip().splitlines()[0] if detail.strip() else error.__class__.__name__
    lowered = detail.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return f"The drafts database {where} is damaged ({detail}): restore it from a backup"
    if "readonly" in lowered or "read-only" in lowered:
        return f"The drafts database {where} is read-only: give this account write access to it"
    if "unable to open database file" in lowered:
        return f"Cannot open the drafts database {where}: check the folder exists and is writable"
    if isinstance(error, OSError):
        return f"Cannot use the drafts database {where} ({error.strerror or detail})"
    return f"Cannot use the drafts database {where}: {detail}"


def writer(engine: Engine) -> Engine:
    """The same engine (and pool), but its transactions take SQLite's write lock up front."""
    return engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})


def migrate(engine: Engine) -> None:
    """Upgrade the schema to head, serialised so two processes starting together are safe.

    A database already at head is only read, never write-locked, so read-only commands (`coach
    drafts list`) work on a read-only copy and do not queue behind a busy writer. That check
    needs neither Alembic nor its script directory, whose imports cost more than half a second:
    Alembic is loaded only when there is something to upgrade.
    """
    with engine.connect() as connection:
        if stored_revision(connection) == head_revision():
            return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def stored_revision(connection: Connection) -> str | None:
    """The revision the database says its schema is at; None for a database never migrated."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


@cache
def head_revision() -> str:
    """The newest migration's revision id, read from `migrations/versions/` without Alembic.

    The history is a single line: the head is the one revision no other revision revises.
    Each file declares `revision` and `down_revision` as literals (Alembic's own template), so
    reading them with `ast` is exact; tests check the answer against Alembic's.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        declared = _declared_revisions(path.read_text(encoding="utf-8"))
        if "revision" in declared:
            revisions.add(str(declared["revision"]))
            if declared.get("down_revision"):
                revised.add(str(declared["down_revision"]))
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the drafts migrations must have one head, not {sorted(heads)}")
    return heads.pop()


def _declared_revisions(source: str) -> dict[str, object]:
    """Module-level `revision = "…"` / `down_revision = "…"` assignments of a migration file."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign | ast.Assign) and isinstance(node.value, ast.Constant):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    found[target.id] = node.value.value
    return found


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
        _private_sqlite_file(Path(url.database or "").expanduser())
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect(wal=not memory))
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _private_sqlite_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does; its WAL and SHM files copy that mode."""
    if path.exists():
        return
    try:
        private_file(path)
    except OSError as error:
        raise StoreUnavailable(
            f"Cannot create the drafts database {path} ({error.strerror or error})"
        ) from None


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
