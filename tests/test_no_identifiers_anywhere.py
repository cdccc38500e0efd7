"""Planted identifiers through every entry point, then nothing identifiable anywhere it could land.

A set of NHS, CHI and NI numbers, postcodes, emails, phones, dates of birth and patients' names,
written in every format the generated corpus knows, is typed into a draft's title, its form fields,
its answers, rewrites and side questions: through `coach chat` on a pipe (then `coach drafts show`
and `coach drafts export`), and through every Slack surface (slash command and its form, thread
replies, mentions, direct messages, the assistant panel, buttons' follow-ups, App Home, exports).
Then the places data can end up are scanned, not the API's answers: every table of the SQLite
file cell by cell plus the raw database files, the exported Markdown and Word files, everything the
app sent to Slack, the CLI's output, and every log record (at DEBUG level, where the Slack SDK logs
request bodies).

A sample of the independent set (``tests/data/privacy_independent.yaml``, written by someone who
never read the guard) goes through the same entry points as whole messages: every seventh of its
messages, 24 messages holding 31 identifiers in formats nobody here listed. Those are scanned for
too; at most :data:`INDEPENDENT_SURVIVORS_ALLOWED` may survive anywhere, the guard's figure on
the whole set (1 of 212).
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import re
import sqlite3
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from benchmarks import privacy_independent
from benchmarks.privacy_corpus import WRITERS, survives
from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.privacy.normalise import normalise
from bot.privacy.presidio_engine import english_words
from tests.conftest import COACH, coach_env
from tests.slack_fixtures import ALICE, new_draft_submission, thread_message

# -- the planted set ------------------------------------------------------------------------------


def _planted() -> list[tuple[str, tuple[str, ...]]]:
    """(written, secrets) for one value of every format of every kind but names, then names."""
    rng = random.Random("no-identifiers-anywhere")
    planted = [
        write(rng)
        for kind, writers in WRITERS.items()
        if kind != "name"
        for write in writers.values()
    ]
    # Unusual names, so a scan cannot confuse them with words the coach or knowledge base uses.
    planted += [
        ("Mrs Keeley Oduya was seen in clinic", ("Keeley", "Oduya")),
        ("one patient, Mr Quince, waited 14 weeks", ("Quince",)),
        ("Nkechi Achterberg was admitted on Monday", ("Nkechi", "Achterberg")),
        ("the patient, Bartholomew Fitzgerald-Hughes, missed two appointments", ("Bartholomew",)),
    ]
    return planted


PLANTED = _planted()
SECRETS = [secret for _, secrets in PLANTED for secret in secrets]
TITLE = "Review for 676  122  2028 and SW1A  0AA"  # the issue's own example
# what the title, area and partners fields plant, as the scan looks for it
FIELD_SECRETS = ("6761222028", "SW1A0AA", "07081952", "1134960000", "bloggs")
AREA = "stroke, Mrs Keeley Oduya DOB 07081952"
PARTNERS = "Our PCN (call 0113  496  0000), Acme Pharma, jo.bloggs at acme dot co dot uk"


# Every seventh message of the independent set, whole (line breaks and all), as a person would
# paste it; the guard's figure on the whole set is 1 of 212 surviving, so 1 is allowed here.
INDEPENDENT = privacy_independent.load()[0][::7]
INDEPENDENT_IDENTIFIERS = [pair for message in INDEPENDENT for pair in message.identifiers]
INDEPENDENT_SURVIVORS_ALLOWED = 1


def _chunks(size: int = 13) -> list[str]:
    """The planted values spread over messages of a few values each, one per line of a form."""
    written = [w.replace("\n", " ") for w, _ in PLANTED]
    return [". Also ".join(written[i : i + size]) for i in range(0, len(written), size)]


def _answers() -> list[str]:
    """Good answers to each stage with planted values appended, so the draft gets composed."""
    chunks = _chunks()
    answers = list(GOOD_ANSWERS.values())
    return [
        f"{answers[i % len(answers)]} Note: {chunk}." if i < len(answers) else f"Note: {chunk}."
        for i, chunk in enumerate(chunks)
    ]


# -- scanning -------------------------------------------------------------------------------------


def _leaks(text: str, where: str) -> list[str]:
    """Every planted secret still readable in `text` (numbers compared without separators), and
    every identifier of the independent sample, marked "independent" (see :func:`_split`)."""
    found = []
    for secret in (*SECRETS, *FIELD_SECRETS):
        if survives(secret, text):
            found.append(f"{secret!r} in {where}")
    found += [
        f"independent {kind}:{value} in {where}"
        for kind, value in privacy_independent.surviving(
            INDEPENDENT_IDENTIFIERS, text, name_word=_distinctive
        )
    ]
    return found


def _distinctive(word: str) -> bool:
    """A word of a planted name that counts when found: one no English dictionary holds. Across
    a whole database the coach's own prose and knowledge base say "ward", "grace" or "green",
    so those words cannot tell a leaked surname from a reply (the benchmark, reading one guarded
    message at a time, counts every word)."""
    return word not in english_words()


def _split(leaks: list[str]) -> tuple[list[str], set[str]]:
    """The project's own planted values that leaked (none may), and the independent sample's
    identifiers that survived anywhere, each counted once however many places hold it."""
    own = [leak for leak in leaks if not leak.startswith("independent ")]
    independent = {leak.split(" in ")[0] for leak in leaks if leak.startswith("independent ")}
    return own, independent


def _scan_database(path: Path) -> list[str]:
    """Every cell of every table, and the raw bytes of the database and its WAL files."""
    leaks: list[str] = []
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute("select name from sqlite_master")]
        for table in tables:
            if not re.fullmatch(r"\w+", table):
                continue
            try:
                rows = connection.execute(f'select * from "{table}"').fetchall()
            except sqlite3.OperationalError:
                continue  # an index, not a table
            for row in rows:
                for cell in row:
                    if isinstance(cell, bytes):
                        cell = cell.decode("utf-8", "replace")
                    if isinstance(cell, str):
                        # JSON columns escape non-ASCII ("\uff19"): read them the way a person would
                        if "\\u" in cell:
                            with contextlib.suppress(ValueError):
                                cell = json.dumps(json.loads(cell), ensure_ascii=False)
                        leaks += _leaks(cell, f"{path.name}:{table}")
    finally:
        connection.close()
    for raw_file in path.parent.glob(path.name + "*"):
        raw = raw_file.read_bytes().decode("utf-8", "replace")
        for written, _ in PLANTED:
            if written.isascii() and len(written) > 6 and written in raw:
                leaks.append(f"{written!r} raw in {raw_file.name}")
        # the independent sample in the file's bytes, freed pages included
        leaks += [leak for leak in _leaks(raw, f"raw {raw_file.name}") if "independent" in leak]
    return leaks


def _placeholders(path: Path) -> set[str]:
    """The kinds of placeholder stored anywhere in the database: proof the values got there."""
    raw = "".join(f.read_bytes().decode("utf-8", "replace") for f in path.parent.glob("*.db*"))
    return set(re.findall(r"\[([A-Za-z ]+) removed\]", raw))


EXPECTED_PLACEHOLDERS = {
    "NHS number", "CHI number", "NI number", "postcode", "email", "phone number",
    "date of birth", "patient name",
}  # fmt: skip


def _scan_exports(folder: Path) -> list[str]:
    leaks: list[str] = []
    files = [*folder.rglob("*.md"), *folder.rglob("*.docx")]
    for file in files:
        if file.suffix == ".docx":
            with zipfile.ZipFile(file) as document:
                text = " ".join(
                    re.sub(r"<[^>]+>", " ", document.read(name).decode("utf-8", "replace"))
                    for name in document.namelist()
                    if name.endswith(".xml")
                )
        else:
            text = file.read_text(encoding="utf-8")
        leaks += _leaks(text, file.name)
    return leaks


def test_the_planted_set_covers_every_kind_and_format() -> None:
    kinds_and_formats = sum(len(writers) for kind, writers in WRITERS.items() if kind != "name")
    assert len(PLANTED) == kinds_and_formats + 4 >= 70


@pytest.mark.slow  # the scan's dictionary is the name model's
def test_the_independent_sample_spans_its_kinds_and_is_readable_before_the_guard() -> None:
    assert len(INDEPENDENT) == 24 and len(INDEPENDENT_IDENTIFIERS) == 31
    assert len({kind for kind, _ in INDEPENDENT_IDENTIFIERS}) >= 9
    for message in INDEPENDENT:
        readable = privacy_independent.surviving(
            message.identifiers, message.text, name_word=_distinctive
        )
        assert readable == list(message.identifiers), message.id
    # each planted value really is readable before the guard runs (the scan would see it)
    for written, secrets in PLANTED:
        assert all(survives(s, normalise(written).text) for s in secrets), written


# -- console and CLI ------------------------------------------------------------------------------


def _run(args: list[str], env: dict[str, str], stdin: str | None = None):
    return subprocess.run(
        [COACH, *args],
        input=stdin,
        env=env,
        cwd=env["COACH_TEST_CWD"],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow  # real `coach` processes over the real index
def test_console_chat_and_cli_store_export_and_print_no_identifier(
    tmp_path: Path, seed_index
) -> None:
    env = coach_env(tmp_path, COACH_TEST_CWD=str(tmp_path))
    seed_index(tmp_path / "data")  # a copy of the run's one index: `coach index` only checks it
    assert _run(["index"], env).returncode == 0
    answers = _answers()
    script = [
        f"/new {TITLE}",
        PARTNERS,
        *answers,
        f"what is a driver diagram for {_chunks()[0]}?",
        "/draft",
        "/accept",
        f"problem: Waits for {_chunks()[1]}  are   too long",
        f"hmw: cut waits for {_chunks()[2]}",
        *(line for message in INDEPENDENT for line in message.text.splitlines() if line.strip()),
        "/export md",
        "/export docx",
        "/quit",
    ]
    chat = _run(["chat", "--user", "pat"], env, stdin="\n".join(script) + "\n")
    assert chat.returncode == 0, chat.stderr[-2000:]
    assert "Traceback" not in chat.stderr

    listed = _run(["drafts", "list", "--user", "pat", "--json"], env)
    (draft,) = json.loads(listed.stdout)
    shown = _run(["drafts", "show", draft["id"], "--user", "pat", "--json"], env)
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["versions"], chat.stdout[-3000:]  # composed: the exports have content
    assert "[NHS number removed]" in json.dumps(document)
    out = tmp_path / "out"
    for fmt in ("md", "docx"):
        made = _run(
            ["drafts", "export", draft["id"], "--user", "pat", "--format", fmt, "-o",
             str(out / f"draft.{fmt}")],
            env,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr

    assert _placeholders(tmp_path / "data" / "coach.db") >= EXPECTED_PLACEHOLDERS
    leaks = _scan_database(tmp_path / "data" / "coach.db")
    leaks += _scan_exports(tmp_path / "data")
    leaks += _scan_exports(out)
    for name, result in {"chat": chat, "list": listed, "show": shown}.items():
        leaks += _leaks(result.stdout, f"`coach {name}` output")
        leaks += _leaks(result.stderr, f"`coach {name}` log")
    own, independent = _split(leaks)
    assert own == []
    assert len(independent) <= INDEPENDENT_SURVIVORS_ALLOWED, sorted(set(leaks) - set(own))


# -- Slack ----------------------------------------------------------------------------------------


def _modal(title: str, partners: str, area: str) -> dict:
    return new_draft_submission(title, partners, area)


def _posts(fake_slack) -> int:
    return len(fake_slack.calls_to("chat.postMessage"))


def _say(slack, fake_slack, text: str, **where) -> None:
    """Send one message event and wait for the app's reply to be posted."""
    before = _posts(fake_slack)
    assert thread_message(slack, text, **where).status == 200
    fake_slack.wait_for("chat.postMessage", before + 1, timeout=120)


@pytest.mark.slow  # the Slack app with the guard's name model
def test_every_slack_surface_stores_posts_exports_and_logs_no_identifier(
    slack, fake_slack, store, make_settings, caplog
) -> None:
    caplog.set_level(logging.DEBUG)  # the Slack SDK logs whole request bodies at DEBUG
    settings = make_settings()
    chunks = _chunks()

    # the slash command opens the form with the title filled in
    slack.command(f"new {TITLE}")
    fake_slack.wait_for("views.open")
    # an unknown subcommand echoes what was typed
    slack.command(f"frobnicate {chunks[0]}", response_url=f"{fake_slack.url}/response/1")
    fake_slack.wait_for("/response/1")

    # the form: every field planted; the thread starter goes to the channel
    assert slack.interactive(_modal(TITLE, PARTNERS, AREA)).status == 200
    deadline = time.monotonic() + 60
    while not [c for c in fake_slack.calls_to("chat.postMessage") if "thread_ts" in c.body]:
        assert time.monotonic() < deadline, "no thread was started"
        time.sleep(0.05)
    thread_ts = next(
        c.body["thread_ts"]
        for c in fake_slack.calls_to("chat.postMessage")
        if "thread_ts" in c.body
    )
    (summary,) = store.list_drafts(ALICE)

    for answer in _answers():
        _say(slack, fake_slack, answer, thread_ts=thread_ts)
    _say(slack, fake_slack, f"what is a driver diagram for {chunks[0]}?", thread_ts=thread_ts)
    _say(slack, fake_slack, "draft", thread_ts=thread_ts)
    _say(slack, fake_slack, f"problem: Waits for {chunks[1]}  are   too long", thread_ts=thread_ts)
    _say(slack, fake_slack, f"hmw: cut waits for {chunks[2]}", thread_ts=thread_ts)
    assert store.latest_version(ALICE, summary.id) is not None
    for message in INDEPENDENT:  # whole, line breaks and all, as pasted into a thread
        _say(slack, fake_slack, message.text, thread_ts=thread_ts)

    # a mention that starts a new thread, a direct message, the assistant panel
    before = _posts(fake_slack)
    slack.event(
        {
            "type": "app_mention",
            "channel": "C1",
            "user": "UALICE",
            "text": f"<@UBOT> new {chunks[3]}",
            "ts": "1800000100.000001",
        },
        event_id="EvMentionPlanted",
    )
    fake_slack.wait_for("chat.postMessage", before + 1, timeout=120)
    _say(slack, fake_slack, chunks[4], channel="DALICE")
    _say(slack, fake_slack, chunks[5], channel="DALICE", thread_ts="1800000300.000000")

    # App Home lists the drafts; an export is written and uploaded
    slack.event(
        {"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "home"},
        event_id="EvHomePlanted",
    )
    fake_slack.wait_for("views.publish", timeout=60)
    slack.command(f"export {summary.id} md", response_url=f"{fake_slack.url}/response/2")
    fake_slack.wait_for("/response/2", timeout=120)
    slack.command(f"export {summary.id} docx", response_url=f"{fake_slack.url}/response/3")
    fake_slack.wait_for("/response/3", timeout=120)

    leaks: list[str] = []
    for call in fake_slack.calls:
        leaks += _leaks(json.dumps(call.body, ensure_ascii=False), f"Slack {call.method}")
    database = Path(store.database.url.database)
    assert _placeholders(database) >= EXPECTED_PLACEHOLDERS
    leaks += _scan_database(database)
    leaks += _scan_exports(settings.coach_data_dir)
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        leaks += _leaks(text, f"log {record.name}")
    assert len(caplog.records) > 0
    own, independent = _split(leaks)
    assert own == []
    assert len(independent) <= INDEPENDENT_SURVIVORS_ALLOWED, sorted(set(leaks) - set(own))
