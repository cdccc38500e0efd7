"""One Settings object, read from the environment and `.env`.

Every setting the product reads lives here, so `.env.example`, `coach doctor` and the README have
a single list to stay in step with. Bad values fail early with one line naming the setting.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import SettingsError
from bot.shipped import shipped_folder

SECRET_SETTINGS = frozenset(
    {"openai_api_key", "slack_bot_token", "slack_app_token", "slack_signing_secret"}
)
# URLs may carry a password (postgresql://coach:secret@db/coach): shown with it masked.
URL_SETTINGS = frozenset({"database_url", "chroma_url", "openai_base_url", "slack_api_url"})


# Knowledge answers shown in Slack hold the (guarded) question someone asked, so they are not kept
# forever; their 👎 votes feed `coach eval harvest`, so they are kept long enough for a maintainer
# reviewing monthly or quarterly to see them. The drafts store's own default is derived from it.
DEFAULT_ANSWER_RETENTION_DAYS = 90


def default_knowledge_dir() -> Path:
    """`knowledge` in the working directory when there is one (a checkout, the Docker image),
    else the starter knowledge base this copy of the code ships with (an installed wheel)."""
    here = Path("knowledge")
    return here if here.is_dir() else shipped_folder("knowledge")


class Settings(BaseSettings):
    """Effective configuration. Field names match the environment variables, lower-cased."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    coach_data_dir: Path = Field(Path(".coach"), description="where the index and database live")
    coach_knowledge_dir: Path = Field(
        default_factory=default_knowledge_dir, description="Markdown knowledge base"
    )
    coach_knowledge_max_bytes: int = Field(
        1_000_000, ge=1_000, le=100_000_000, description="largest knowledge file indexed"
    )
    database_url: str = Field("", description="SQLAlchemy URL; empty = SQLite in the data dir")
    chroma_url: str = Field("", description="Chroma server URL; empty = embedded store")
    embeddings: Literal["local", "openai"] = Field("local", description="embedding backend")
    coach_embedding_model: str = Field(
        "text-embedding-3-small", description="embedding model name when EMBEDDINGS=openai"
    )
    openai_api_key: str = Field("", description="key for an OpenAI-compatible server")
    openai_base_url: str = Field("", description="base URL of an OpenAI-compatible server")
    coach_model: str = Field("gpt-4o-mini", description="chat model name for the LLM coach")
    coach_llm_timeout: float = Field(60.0, gt=0, description="seconds before a model call fails")
    coach_llm_max_tokens: int = Field(
        2048, ge=16, description="cap on each model reply, in tokens (a runaway reply stops)"
    )
    slack_bot_token: str = Field("", description="xoxb- bot token")
    slack_app_token: str = Field("", description="xapp- app token: enables Socket Mode")
    slack_signing_secret: str = Field("", description="verifies HTTP requests from Slack")
    slack_api_url: str = Field("", description="Slack Web API base URL (tests, emulators)")
    port: int = Field(3000, ge=1, le=65535, description="HTTP port for the Slack app")
    # Every interface by default, as a container needs; 127.0.0.1 on a VM whose proxy runs
    # beside the app, so nothing else on the network can reach the port directly.
    host: str = Field("0.0.0.0", min_length=1, description="address HTTP mode listens on")
    coach_debug: bool = Field(False, description="show tracebacks instead of one-line errors")
    coach_answer_retention_days: int = Field(
        DEFAULT_ANSWER_RETENTION_DAYS,
        ge=0,
        le=36_500,
        description="days knowledge answers shown in Slack and their votes are kept; 0 = forever",
    )
    coach_evals_dir: Path | None = Field(
        None, description="evals folder for `coach eval`; empty = the checkout's evals/"
    )

    @field_validator("coach_data_dir")
    @classmethod
    def _data_dir_is_a_folder(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError("is a file, not a folder")
        return value

    @field_validator("coach_evals_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`COACH_EVALS_DIR=` as .env.example has it means "not set", not the working folder."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url", "chroma_url", "openai_base_url", "slack_api_url")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("chroma_url")
    @classmethod
    def _chroma_url_has_scheme(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @cached_property
    def effective_database_url(self) -> str:
        """SQLite in the data dir unless DATABASE_URL names another database."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.coach_data_dir / 'coach.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        """Create the data dir owner-only (0700), or say in one line why it cannot be."""
        from bot.private_files import private_dir

        try:
            return private_dir(self.coach_data_dir)
        except OSError as error:
            reason = error.strerror or error.__class__.__name__
            raise SettingsError(
                f"Setting COACH_DATA_DIR: cannot use {self.coach_data_dir} ({reason})"
            ) from None

    @property
    def chroma_dir(self) -> Path:
        return self.coach_data_dir / "chroma"

    @property
    def answer_retention(self) -> timedelta | None:
        """How long the store keeps knowledge answers, or None to keep them forever (0 days)."""
        days = self.coach_answer_retention_days
        return timedelta(days=days) if days else None

    @property
    def llm_configured(self) -> bool:
        """The LLM coach takes over as soon as either an API key or a base URL is given."""
        return bool(self.openai_api_key or self.openai_base_url)

    def masked(self) -> dict[str, str]:
        """Every setting as text, secrets reduced to a recognisable prefix."""
        shown: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            text = str(value)
            if name in SECRET_SETTINGS and text:
                text = text[:5] + "…" + f" ({len(text)} chars)"
            elif name in URL_SETTINGS:
                text = mask_url(text)
            shown[name.upper()] = text
        return shown


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***, so it can be printed or logged."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)[1]
        user = parts.username or ""
        return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))
    except ValueError:
        return "(not a URL)" if "@" in url else url


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad setting.

    `overrides` are field values by name that win over the environment (tests, benchmarks);
    pydantic validates each, so they are typed as loosely as its constructor takes them.
    """
    try:
        return Settings(**overrides)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "settings"
            given = problem.get("input")
            if field in URL_SETTINGS and isinstance(given, str):
                given = mask_url(given)
            message = str(problem["msg"]).removeprefix("Value error, ")
            lines.append(f"Setting {field.upper()}: {message} (got {given!r})")
        raise SettingsError("\n".join(lines)) from None
