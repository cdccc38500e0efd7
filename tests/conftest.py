"""Shared fixtures, and two guards: one on the network, one on the fast lane.

The product promises to work with no network: the network guard is an audit hook on socket
connects and DNS look-ups that lets loopback through and records (and blocks) everything else, so
a code path that quietly tries to download a model or phone home fails the test that ran it.

`make test-fast` runs the tests not marked `slow` in under a minute, which holds only while none
of them loads the embedding model (torch), a Chroma index or Presidio: the fast-lane guard fails
any such test that loads one, naming what it loaded (see `pytest_runtest_makereport` below).
"""

from __future__ import annotations

import ast
import contextlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, configuration, settings

ROOT = Path(__file__).resolve().parent.parent
# Fixtures that drive the Slack app over HTTP (slack, fake_slack, store), shared by modules.
pytest_plugins = ["tests.slack_fixtures"]
# The product must stay offline by itself: no HF_HUB_OFFLINE here, the code sets what it needs.
for name in (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "DATABASE_URL",
    "CHROMA_URL",
    "EMBEDDINGS",
):
    os.environ.pop(name, None)

sys.path.insert(0, str(ROOT / "tests" / "netguard"))
import netguard  # noqa: E402

netguard.install()
# The checkout under test comes second, so a `coach` subprocess runs this checkout's bot/ even
# when the virtualenv's editable install points at another one (a git worktree).
GUARDED_ENV = {"PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "netguard"), str(ROOT)])}
COACH = str(Path(sys.executable).parent / "coach")

# One Hypothesis profile for the suite. No example database, and Hypothesis's own caches in the
# system's temporary directory, so a run leaves no .hypothesis folder in the checkout. Its input
# generation can be slow on a busy two-core machine, which is no failure of the code under test.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    configuration.set_hypothesis_home_dir(
        Path(tempfile.gettempdir()) / f"partnership-coach-hypothesis-{os.getuid()}"
    )
settings.register_profile(
    "coach", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("coach")

# What a test outside the slow lane must never be the first to load (see the module docstring).
HEAVY_MODULES = ("torch", "chromadb", "presidio_analyzer")
_LOADED_BEFORE = pytest.StashKey[frozenset[str]]()


def _heavy_loaded() -> frozenset[str]:
    return frozenset(name for name in HEAVY_MODULES if name in sys.modules)


def _slow_throughout(path: Path) -> bool:
    """Whether a test module says `pytestmark = pytest.mark.slow` at its top level (read, not
    imported: importing such a module is often what costs, e.g. the search importing Chroma)."""
    try:
        source = path.read_text(encoding="utf-8")
        if "pytestmark" not in source:  # most modules: no need to parse them (in every worker)
            return False
        tree = ast.parse(source)
    except (OSError, SyntaxError, UnicodeDecodeError):
        return False
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        and ast.unparse(node.value) == "pytest.mark.slow"
        for node in tree.body
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With `-m "not slow"` (make test-fast), leave whole-module slow tests uncollected rather
    than importing them only to deselect every test: that import alone cost seconds."""
    if config.getoption("markexpr") != "not slow" or collection_path.suffix != ".py":
        return None
    return True if _slow_throughout(collection_path) else None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Note what is loaded before the test's fixtures run (a session fixture counts too)."""
    item.stash[_LOADED_BEFORE] = _heavy_loaded()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """After a fast-lane test's teardown, fail it if it loaded torch, Chroma or Presidio.

    The check compares with what was loaded when the test began, so it speaks up in the run
    where the test is the first to need one of them: always in `make test-fast`, where nothing
    else loads them.
    """
    report = yield
    if call.when != "teardown" or item.get_closest_marker("slow") or report.failed:
        return report
    before = item.stash.get(_LOADED_BEFORE, frozenset[str]())
    loaded = sorted(_heavy_loaded() - before)
    if loaded:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} loaded {', '.join(loaded)}: mark it @pytest.mark.slow, or give the "
            "engine tests.fakes.search.FakeSearch (the fake_search fixture) if retrieval is "
            "not what it tests"
        )
    return report


@contextlib.contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Fail with TimeoutError if the block runs longer than `seconds`: a guard against hangs
    (catastrophic regex backtracking, a deadlock), never a speed target — those live in
    `make bench`. Main thread only (it uses SIGALRM)."""

    def expired(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s: a hang, not slowness")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def coach_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for running `coach` as a user would: private data dir, guarded network,
    and none of the developer's own model, Slack or coach settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "SLACK_", "COACH_", "HF_", "TRANSFORMERS_"))
    }
    env.update(GUARDED_ENV)
    env.update(
        COACH_DATA_DIR=str(home / "data"),
        COACH_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
        COLUMNS="110",
        HOME=str(home),
    )
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def no_outside_network():
    """Fail the test if anything it ran tried to leave the machine, even if it was caught."""
    before = len(netguard.ATTEMPTS)
    yield
    attempts = netguard.ATTEMPTS[before:]
    if attempts:
        del netguard.ATTEMPTS[before:]
        pytest.fail("outside network contacted: " + "; ".join(attempts[:5]))


@pytest.fixture
def make_settings(tmp_path, monkeypatch):
    """Settings pointing at a private data dir; the real knowledge base unless told otherwise."""
    from bot.settings import load_settings

    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout

    def build(**overrides):
        values = {
            "coach_data_dir": tmp_path / "data",
            "coach_knowledge_dir": ROOT / "knowledge",
        }
        values.update(overrides)
        return load_settings(**values)

    return build


@pytest.fixture(scope="session")
def drafts_template(tmp_path_factory) -> Path:
    """An empty SQLite drafts database at the newest schema, made once per worker process.

    Opening a DraftStore on a new file runs every Alembic migration, 0.1-0.2 s a time (more on a
    busy machine), and nearly every test of the engine, the coaches and Slack opened one: a few
    hundred migrations a run that tested nothing. A copy of this file is opened as up to date
    (migrate() only reads its revision). Migrating from empty, and from each old schema, is
    tested where it is the subject: tests/test_drafts_store.py and tests/test_flow_migration.py.
    """
    from bot.drafts.repository import DraftStore

    path = tmp_path_factory.mktemp("drafts-template") / "coach.db"
    DraftStore(f"sqlite:///{path}").close()
    leftovers = sorted(p.name for p in path.parent.iterdir() if p != path)
    assert not leftovers, f"the template is not one closed file: {leftovers}"
    return path


@pytest.fixture
def new_drafts_db(drafts_template):
    """`new_drafts_db(path)`: an empty drafts database at `path`, at the newest schema; returns
    its URL (see `drafts_template`)."""

    def make(path: Path) -> str:
        shutil.copyfile(drafts_template, path)
        return f"sqlite:///{path}"

    return make


@pytest.fixture
def store(tmp_path, new_drafts_db):
    """An empty drafts store of the test's own, on SQLite."""
    from bot.drafts.repository import DraftStore

    with DraftStore(new_drafts_db(tmp_path / "coach.db")) as opened:
        yield opened


@pytest.fixture
def fake_search():
    """A knowledge search with a few fixed passages and no model or index, for tests of the
    engine, the coaches and the adapters rather than of retrieval (tests/fakes/search.py)."""
    from tests.fakes.search import FakeSearch

    return FakeSearch()


@pytest.fixture(scope="session")
def embeddings():
    """The real local embedding model, loaded once for the whole run."""
    from bot.retrieval.embeddings import LazyEmbeddings
    from bot.settings import load_settings

    return LazyEmbeddings(load_settings(embeddings="local"))


def indexed_settings(data, embeddings, **options):
    """Settings over `data` whose index holds the real knowledge base, built with the real model
    (`options` such as chroma_url put the index elsewhere)."""
    from bot.retrieval.indexer import build_index
    from bot.settings import load_settings

    settings = load_settings(coach_data_dir=data, coach_knowledge_dir=ROOT / "knowledge", **options)
    report = build_index(settings, embeddings=embeddings)
    assert report.passages > 0 and not report.bad, report.bad
    return settings


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory, embeddings):
    """An index of the real knowledge base, built once per run with the real model."""
    return indexed_settings(tmp_path_factory.mktemp("knowledge-index"), embeddings)


@pytest.fixture(scope="session")
def seed_index(knowledge_settings):
    """Copy the run's one index into a data dir, so `coach index` there finds it up to date
    rather than embedding the whole knowledge base again (minutes on two busy cores)."""

    def seed(data: Path) -> Path:
        shutil.copytree(
            knowledge_settings.coach_data_dir,
            data,
            ignore=shutil.ignore_patterns("coach.db*", "exports"),  # the index only, no drafts
            dirs_exist_ok=True,
        )
        return data

    return seed


@pytest.fixture(scope="session")
def knowledge_search(knowledge_settings, embeddings):
    from bot.retrieval.search import KnowledgeSearch

    return KnowledgeSearch(knowledge_settings, embeddings)


@pytest.fixture(scope="session")
def postgres_database_url():
    """A real PostgreSQL database for this run, or skip where no server can be started."""
    from tests.postgres_server import postgres_url

    with postgres_url() as url:
        if url is None:
            pytest.skip("no PostgreSQL server binaries here and COACH_TEST_DATABASE_URL unset")
        yield url
