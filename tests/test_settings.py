"""Settings: defaults, validation that names the bad setting, masking of secrets."""

from __future__ import annotations

import pytest

from bot.errors import SettingsError
from bot.settings import load_settings


def test_defaults_are_the_embedded_stack(make_settings):
    settings = make_settings()
    assert settings.embeddings == "local"
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("coach.db")
    assert not settings.chroma_url
    assert not settings.llm_configured


def test_llm_is_configured_by_key_or_base_url(make_settings):
    assert make_settings(openai_api_key="sk-test").llm_configured
    assert make_settings(openai_base_url="http://127.0.0.1:9/v1").llm_configured


def test_bad_setting_names_the_setting(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMBEDDINGS", "wordvec")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("Setting EMBEDDINGS:")
    assert "wordvec" in message
    assert "\n" not in message


def test_chroma_url_must_be_http(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHROMA_URL", "localhost:8000")
    with pytest.raises(SettingsError, match="CHROMA_URL"):
        load_settings()


def test_dotenv_file_is_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("COACH_MODEL=llama-3-8b\nPORT=4000\n", encoding="utf-8")
    settings = load_settings()
    assert settings.coach_model == "llama-3-8b"
    assert settings.port == 4000


def test_secrets_are_masked(make_settings):
    shown = make_settings(
        openai_api_key="sk-verysecretvalue123", slack_bot_token="xoxb-1-2-abcdef"
    ).masked()
    assert "verysecret" not in shown["OPENAI_API_KEY"]
    assert shown["OPENAI_API_KEY"].startswith("sk-ve")
    assert "abcdef" not in shown["SLACK_BOT_TOKEN"]
    assert shown["COACH_MODEL"] == "gpt-4o-mini"


def test_env_example_documents_every_setting():
    from pathlib import Path

    from bot.settings import Settings

    text = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in text, f".env.example does not document {name.upper()}"


def test_knowledge_defaults_to_the_working_folders_else_the_shipped_one(monkeypatch, tmp_path):
    """A checkout or the Docker image runs beside `knowledge/`; an installed wheel may run
    anywhere and then reads the starter knowledge base it carries."""
    from pathlib import Path

    from bot.shipped import shipped_folder

    monkeypatch.delenv("COACH_KNOWLEDGE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    shipped = load_settings().coach_knowledge_dir
    assert shipped == shipped_folder("knowledge") and any(shipped.rglob("*.md"))

    (tmp_path / "knowledge").mkdir()
    assert load_settings().coach_knowledge_dir == Path("knowledge")


def test_answer_retention_is_in_days_and_zero_keeps_answers_forever(make_settings):
    """The store's own default (a caller that passes none) is the setting's."""
    from datetime import timedelta

    from bot.drafts.answers import ANSWER_RETENTION

    assert make_settings().answer_retention == ANSWER_RETENTION == timedelta(days=90)
    assert make_settings(coach_answer_retention_days=30).answer_retention == timedelta(days=30)
    assert make_settings(coach_answer_retention_days=0).answer_retention is None
    with pytest.raises(SettingsError, match="COACH_ANSWER_RETENTION_DAYS"):
        make_settings(coach_answer_retention_days=-1)


def test_a_blank_evals_dir_means_unset(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACH_EVALS_DIR", " ")
    assert load_settings().coach_evals_dir is None
    monkeypatch.setenv("COACH_EVALS_DIR", str(tmp_path))
    assert load_settings().coach_evals_dir == tmp_path
