"""One Settings object, read from the environment and `.env`.

Every setting the product reads lives here, so `.env.example`, `coach doctor` and the README have
a single list to stay in step with. Bad values fail early with one line naming the setting.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_SETTINGS = frozenset(
    {"openai_api_key", "slack_bot_token", "slack_app_token", "slack_signing_secret"}
)


class SettingsError(ValueError):
    """A setting has a value the product cannot use; the message names the setting."""


class Settings(BaseSettings):
    """Effective configuration. Field names match the environment variables, lower-cased."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    coach_data_dir: Path = Field(Path(".coach"), description="where the index and database live")
    coach_knowledge_dir: Path = Field(Path("knowledge"), description="Markdown knowledge base")
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
    slack_bot_token: str = Field("", description="xoxb- bot token")
    slack_app_token: str = Field("", description="xapp- app token: enables Socket Mode")
    slack_signing_secret: str = Field("", description="verifies HTTP requests from Slack")
    slack_api_url: str = Field("", description="Slack Web API base URL (tests, emulators)")
    port: int = Field(3000, ge=1, le=65535, description="HTTP port for the Slack app")

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

    @property
    def chroma_dir(self) -> Path:
        return self.coach_data_dir / "chroma"

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
            shown[name.upper()] = text
        return shown


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = str(problem["loc"][0]).upper() if problem["loc"] else "settings"
            lines.append(f"Setting {name}: {problem['msg']} (got {problem.get('input')!r})")
        raise SettingsError("\n".join(lines)) from None
