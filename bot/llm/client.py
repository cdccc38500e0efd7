"""The chat model client: factory, structured output that works on each server, plain-word errors.

OpenAI-compatible servers differ: some accept `response_format` json_schema, some only JSON mode,
some only tool calling (llama.cpp's server answers json_schema with HTTP 500). `StructuredCaller`
tries the methods in order, remembers the first that works for this server and model, and says
clearly when none does. Timeouts, rate limits and server errors are retried with backoff by the
openai client (`max_retries`); what still fails becomes `ModelUnavailable`, and the engine lets
the guided coach answer that turn.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

import openai
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
)
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, SecretStr, ValidationError

from bot.errors import ModelUnavailable
from bot.llm.exchange import TextSink, Turn, Usage
from bot.settings import Settings
from bot.tokens import count_tokens, truncate_to_tokens

log = logging.getLogger(__name__)

StructuredMethod = Literal["json_schema", "json_mode", "function_calling"]
METHODS: tuple[StructuredMethod, ...] = ("json_schema", "json_mode", "function_calling")
MAX_RETRIES = 3
PROMPT_BUDGET_TOKENS = 6000  # per turn: system + passages + history + the user's message
HISTORY_BUDGET_TOKENS = 1500
Model = TypeVar("Model", bound=BaseModel)

_working_method: dict[tuple[str, str], StructuredMethod] = {}
_method_lock = threading.Lock()


@dataclass(frozen=True)
class ModelCall:
    """One model call as a hook sees it: enough to key a cache and count tokens."""

    model: str
    kind: str  # "text", or the name of the structured-output schema
    messages: tuple[tuple[str, str], ...]
    params: dict[str, object] = field(default_factory=dict)


class ModelCallHook(Protocol):
    """Wraps every model call; returns (text, usage, served_without_calling_the_model).

    The product runs with no hook. `coach eval` installs one for its on-disk cache, token and
    cost ledger and budget, so what it measures is this module's real call path.
    """

    def around(
        self, call: ModelCall, run: Callable[[], tuple[str, Usage]]
    ) -> tuple[str, Usage, bool]: ...


_call_hook: ModelCallHook | None = None


def set_model_call_hook(hook: ModelCallHook | None) -> ModelCallHook | None:
    """Install (or with None remove) the hook; returns the one it replaces."""
    global _call_hook
    previous, _call_hook = _call_hook, hook
    return previous


def _through_hook(
    chat: ChatOpenAI, kind: str, messages: list[BaseMessage], run: Callable[[], tuple[str, Usage]]
) -> tuple[str, Usage, bool]:
    hook = _call_hook
    if hook is None:
        text, usage = run()
        return text, usage, False
    call = ModelCall(
        model=str(chat.model_name),
        kind=kind,
        messages=tuple((m.type, str(m.content)) for m in messages),
        params=call_params(chat),
    )
    return hook.around(call, run)


def call_params(chat: ChatOpenAI) -> dict[str, object]:
    """Every request parameter that can change a reply, as the server receives it.

    The reply cap is one: a reply cut at 48 tokens is not the reply the same prompt gets at 2048,
    so a cache keyed on these never serves one for the other.
    """
    extra = {k: v for k, v in (chat.extra_body or {}).items() if k != "max_tokens"}
    params: dict[str, object] = {"temperature": chat.temperature, "max_tokens": reply_cap(chat)}
    if extra or chat.model_kwargs:
        params["extra"] = {**extra, **chat.model_kwargs}
    return params


def reply_cap(chat: ChatOpenAI) -> int | None:
    """The reply-length cap this chat model sends, whichever field carries it."""
    cap = (chat.extra_body or {}).get("max_tokens", chat.max_tokens)
    return int(cap) if cap is not None else None


def make_chat(settings: Settings) -> ChatOpenAI:
    """ChatOpenAI for any OpenAI-compatible server named by the settings, replies capped.

    langchain sends its `max_tokens` as `max_completion_tokens`, the field OpenAI asks for (its
    reasoning models refuse `max_tokens`), and takes it under that name too. llama.cpp's server
    ignores that field and reads only `max_tokens`, as most OpenAI-compatible servers do, so for
    any server named by OPENAI_BASE_URL the cap goes in the request body as `max_tokens`.
    """
    cap = settings.coach_llm_max_tokens
    own_server = bool(settings.openai_base_url)
    return ChatOpenAI(
        model=settings.coach_model,
        api_key=SecretStr(settings.openai_api_key or "not-needed"),
        base_url=settings.openai_base_url or None,
        timeout=settings.coach_llm_timeout,
        max_retries=MAX_RETRIES,
        temperature=0.2,
        stream_usage=True,
        max_completion_tokens=None if own_server else cap,
        extra_body={"max_tokens": cap} if own_server else None,
    )


def usage_of(message: BaseMessage | None) -> Usage:
    metadata = getattr(message, "usage_metadata", None) or {}
    return Usage(int(metadata.get("input_tokens", 0)), int(metadata.get("output_tokens", 0)))


def explain(error: Exception, settings_timeout: float | None = None) -> str:
    """A model failure in words a user can act on."""
    if isinstance(error, openai.APITimeoutError):
        after = f" after {settings_timeout:.0f} s" if settings_timeout else ""
        return f"the model did not answer in time{after}"
    if isinstance(error, openai.RateLimitError):
        return "the model server is rate-limiting requests"
    if isinstance(error, openai.APIConnectionError):
        return "the model server cannot be reached"
    if isinstance(error, openai.AuthenticationError):
        return "the model server rejected the API key"
    if isinstance(error, openai.APIStatusError):
        return f"the model server answered with an error (HTTP {error.status_code})"
    return f"the model failed ({error.__class__.__name__})"


def history_messages(history: list[Turn], budget: int = HISTORY_BUDGET_TOKENS) -> list[BaseMessage]:
    """The most recent turns that fit the budget, oldest first: never overflows the context."""
    kept: list[BaseMessage] = []
    used = 0
    for turn in reversed(history):
        cost = count_tokens(turn.text) + 4
        if used + cost > budget:
            break
        used += cost
        kept.append(AIMessage(turn.text) if turn.role == "coach" else HumanMessage(turn.text))
    return list(reversed(kept))


def fit(text: str, budget: int) -> str:
    """Trim a prompt part to its share of the per-turn budget."""
    return truncate_to_tokens(text, budget)


class StructuredCaller:
    """Structured output with the first method this server supports."""

    def __init__(self, chat: ChatOpenAI, timeout: float | None = None) -> None:
        self.chat = chat
        self.timeout = timeout
        self._key = (str(chat.openai_api_base or "openai"), str(chat.model_name))

    def _methods(self) -> list[StructuredMethod]:
        with _method_lock:
            known = _working_method.get(self._key)
        return [known] if known else list(METHODS)

    def call(self, schema: type[Model], messages: list[BaseMessage]) -> tuple[Model, Usage]:
        """A structured reply, through the model-call hook when one is installed."""

        def run() -> tuple[str, Usage]:
            parsed, usage = self._call_model(schema, messages)
            return parsed.model_dump_json(), usage

        text, usage, _served = _through_hook(self.chat, schema.__name__, messages, run)
        return schema.model_validate_json(text), usage

    def _call_model(self, schema: type[Model], messages: list[BaseMessage]) -> tuple[Model, Usage]:
        """Try each output method in turn; a reply that will not parse moves on to the next."""
        rejected: list[str] = []
        malformed = False
        for method in self._methods():
            runnable = self.chat.with_structured_output(schema, method=method, include_raw=True)
            try:
                result = runnable.invoke(messages)
            except (
                openai.BadRequestError,
                openai.UnprocessableEntityError,
                openai.InternalServerError,
                openai.NotFoundError,
            ) as error:
                log.info("structured output via %s rejected: %s", method, error)
                rejected.append(f"{method} (HTTP {error.status_code})")
                continue
            except openai.OpenAIError as error:
                raise ModelUnavailable(explain(error, self.timeout)) from error
            except (ValidationError, ValueError, TypeError) as error:  # unparseable replies
                log.info("structured output via %s did not parse: %s", method, error)
                malformed = True
                continue
            raw = result.get("raw")
            parsed = result.get("parsed") or self._repair(schema, raw)
            if parsed is None:
                malformed = True
                continue
            with _method_lock:
                _working_method[self._key] = method
            return parsed, usage_of(raw)
        if malformed:
            raise ModelUnavailable("the model returned malformed JSON for a structured reply")
        raise ModelUnavailable(
            "the model server supports none of json_schema, JSON mode or tool calling "
            f"for structured replies (rejected: {', '.join(rejected)})"
        )

    @staticmethod
    def _repair(schema: type[Model], raw: BaseMessage | None) -> Model | None:
        """Salvage JSON wrapped in prose or code fences; None when there is nothing to save."""
        text = str(getattr(raw, "content", "") or "")
        start, end = text.find("{"), text.rfind("}")
        if start != -1 and end > start:
            try:
                return schema.model_validate(json.loads(text[start : end + 1]))
            except (ValueError, TypeError):
                pass
        return None


def plain_call(
    chat: ChatOpenAI,
    messages: list[BaseMessage],
    timeout: float | None,
    stream: TextSink | None = None,
) -> tuple[str, Usage]:
    """Free text from the model; with `stream`, each piece is passed on as it arrives."""

    def run() -> tuple[str, Usage]:
        try:
            if stream is None:
                message: BaseMessage = chat.invoke(messages)
            else:
                message = _streamed(chat, messages, stream)
        except openai.OpenAIError as error:
            raise ModelUnavailable(explain(error, timeout)) from error
        except (ValueError, TypeError) as error:  # a 200 whose body is not a chat completion
            raise ModelUnavailable("the model server sent a malformed reply") from error
        text = str(message.content or "").strip()
        if not text:
            raise ModelUnavailable("the model returned an empty reply")
        return text, usage_of(message)

    text, usage, served = _through_hook(chat, "text", messages, run)
    if served and stream is not None:
        stream(text)  # a cached reply still reaches a streaming adapter, in one piece
    return text, usage


def _streamed(chat: ChatOpenAI, messages: list[BaseMessage], stream: TextSink) -> BaseMessage:
    whole: AIMessageChunk | None = None
    for chunk in chat.stream(messages):
        if chunk.content:
            stream(str(chunk.content))
        whole = chunk if whole is None else whole + chunk
    return whole if whole is not None else AIMessage("")
