"""Every model call an eval makes: served from the cache, priced, budgeted and written down.

`Meter` is the hook `bot.llm.client` calls around each model request. It keeps one ledger per case
(a context variable set by the worker running that case), so concurrent cases never mix their
counts. Tokens come from the server's usage report, or from the project's tokenizer when a server
reports none. `--dry-run` counts the real prompts and stops each call before it leaves the machine;
`--max-cost` refuses a call whose estimate would take the run over budget.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field, replace

import openai

from bot.errors import ModelUnavailable
from bot.evals.cache import CachedReply, CallCache, cache_key
from bot.evals.cases import Prices
from bot.llm.client import ModelCall, set_model_call_hook
from bot.llm.exchange import Usage
from bot.tokens import count_tokens

MESSAGE_OVERHEAD_TOKENS = 4  # role and separators per chat message, as OpenAI counts them
DEFAULT_TYPICAL_OUTPUT = 300


FAILED_MARK = "\x00failed:"  # a cached reply the coach could not use (malformed JSON, say)
TRANSIENT = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)


def is_reply_failure(error: Exception) -> bool:
    """True when the server answered but the reply was unusable: replaying it is faithful.

    Timeouts, refused connections, rate limits and 5xx are not cached: they may pass next time.
    """
    return isinstance(error, ModelUnavailable) and not isinstance(error.__cause__, TRANSIENT)


class BudgetExceeded(RuntimeError):
    """The next model call would take the run over --max-cost; the run stops here."""


class DryRunStop(ModelUnavailable):
    """A dry run counted this call and did not make it (the guided coach answers instead)."""


@dataclass
class CallRecord:
    """One model call in a case's ledger."""

    role: str  # coach | judge | user
    model: str
    kind: str
    prompt_tokens: int
    completion_tokens: int
    cost_gbp: float
    seconds: float
    cached: bool = False
    estimated: bool = False  # dry run: counted, not made
    usage_from: str = "server"  # server | tokenizer
    error: str = ""  # the call failed (the coach fell back to the guided coach for the turn)

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Ledger:
    """The calls of one case."""

    calls: list[CallRecord] = field(default_factory=list)
    # Random per run (draft ids, canaries): stored in the cache as placeholders, so an unchanged
    # suite hits the cache and a replayed reply names this run's values, not the first run's.
    volatile: list[str] = field(default_factory=list)

    def placeholders(self, text: str) -> str:
        """This run's random values in `text` replaced by numbered placeholders."""
        for n, value in enumerate(self.volatile):
            text = text.replace(value, f"<volatile-{n}>")
        return text

    def restore(self, text: str) -> str:
        """The inverse of `placeholders`, with this run's values."""
        for n, value in enumerate(self.volatile):
            text = text.replace(f"<volatile-{n}>", value)
        return text

    def totals(self) -> dict[str, float]:
        made = [c for c in self.calls if not c.cached and not c.estimated]
        return {
            "calls": len(made),
            "failed_calls": sum(bool(c.error) for c in made),
            "cache_hits": sum(c.cached for c in self.calls),
            "estimated_calls": sum(c.estimated for c in self.calls),
            "prompt_tokens": sum(c.prompt_tokens for c in self.calls),
            "completion_tokens": sum(c.completion_tokens for c in self.calls),
            "cost_gbp": round(sum(c.cost_gbp for c in self.calls), 6),
            "model_seconds": round(sum(c.seconds for c in made), 3),
        }


_ledger: ContextVar[Ledger | None] = ContextVar("eval_ledger", default=None)
_role: ContextVar[str] = ContextVar("eval_role", default="coach")
_salt: ContextVar[str] = ContextVar("eval_salt", default="")


def current_ledger() -> Ledger | None:
    return _ledger.get()


@contextmanager
def case_ledger(ledger: Ledger) -> Iterator[Ledger]:
    """Attribute the model calls made inside this block (in this thread) to one case."""
    token = _ledger.set(ledger)
    try:
        yield ledger
    finally:
        _ledger.reset(token)


@contextmanager
def acting_as(role: str, salt: str = "") -> Iterator[None]:
    """Label calls made inside the block as the judge's or the simulated user's.

    `salt` joins the cache key, so a repeated judge call is asked again rather than served the
    first answer from the cache.
    """
    tokens = (_role.set(role), _salt.set(salt))
    try:
        yield
    finally:
        _role.reset(tokens[0])
        _salt.reset(tokens[1])


def message_tokens(call: ModelCall) -> int:
    """Prompt tokens of a call as the project's tokenizer counts them."""
    return sum(count_tokens(text) + MESSAGE_OVERHEAD_TOKENS for _role, text in call.messages)


def _stable(call: ModelCall, ledger: Ledger | None) -> ModelCall:
    """The call with this case's random values (draft ids, canaries) as placeholders."""
    if ledger is None or not ledger.volatile:
        return call
    messages = tuple((role, ledger.placeholders(text)) for role, text in call.messages)
    return replace(call, messages=messages)


def _to_cache(text: str, ledger: Ledger | None) -> str:
    return ledger.placeholders(text) if ledger is not None else text


def _from_cache(text: str, ledger: Ledger | None) -> str:
    return ledger.restore(text) if ledger is not None else text


class Meter:
    """The `bot.llm.client` model-call hook used while evals run."""

    def __init__(
        self,
        prices: Prices,
        *,
        cache: CallCache | None = None,
        prompt_versions: dict[str, str] | None = None,
        max_cost_gbp: float | None = None,
        dry_run: bool = False,
    ) -> None:
        self.prices = prices
        self.cache = cache
        self.prompt_versions = dict(prompt_versions or {})
        self.max_cost_gbp = max_cost_gbp
        self.dry_run = dry_run
        self._lock = threading.Lock()
        self.committed_gbp = 0.0  # spent, plus estimates of calls in flight
        self.hits = 0
        self.misses = 0

    def typical_output(self, kind: str) -> int:
        table = self.prices.typical_output_tokens
        return table.get(kind, table.get("default", DEFAULT_TYPICAL_OUTPUT))

    def around(
        self, call: ModelCall, run: Callable[[], tuple[str, Usage]]
    ) -> tuple[str, Usage, bool]:
        role, ledger = _role.get(), _ledger.get()
        key = cache_key(
            _stable(call, ledger),
            {**self.prompt_versions, "_role": role, "_salt": _salt.get()},
        )
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            with self._lock:
                self.hits += 1
            tokens = (hit.prompt_tokens, hit.completion_tokens)
            text = _from_cache(hit.text, ledger)
            if text.startswith(FAILED_MARK):  # the model's reply was unusable last time too
                failure = text.removeprefix(FAILED_MARK)
                self._record(call, role, *tokens, 0.0, 0.0, cached=True, error=failure)
                raise ModelUnavailable(failure)
            self._record(call, role, *tokens, 0.0, 0.0, cached=True)
            return text, Usage(hit.prompt_tokens, hit.completion_tokens), True
        prompt_tokens = message_tokens(call)
        expected_out = self.typical_output(call.kind)
        estimate = self.prices.cost(call.model, prompt_tokens, expected_out)
        if self.dry_run:
            self._record(
                call, role, prompt_tokens, expected_out, estimate, 0.0, cached=False, estimated=True
            )
            raise DryRunStop("dry run: the call was counted, not made")
        with self._lock:
            if self.max_cost_gbp is not None and self.committed_gbp + estimate > self.max_cost_gbp:
                raise BudgetExceeded(
                    f"the next call (about £{estimate:.4f}) would take the run past "
                    f"--max-cost £{self.max_cost_gbp:.2f} (committed £{self.committed_gbp:.4f})"
                )
            self.committed_gbp += estimate
            self.misses += 1
        started = time.perf_counter()
        try:
            text, usage = run()
        except Exception as error:
            with self._lock:
                self.committed_gbp -= estimate
            self._record(
                call,
                role,
                prompt_tokens,
                0,
                0.0,
                time.perf_counter() - started,
                cached=False,
                usage_from="tokenizer",
                error=f"{type(error).__name__}: {error}"[:300],
            )
            if self.cache is not None and is_reply_failure(error):
                failure = _to_cache(FAILED_MARK + str(error), ledger)
                self.cache.put(key, call, CachedReply(failure, prompt_tokens, 0))
            raise
        seconds = time.perf_counter() - started
        usage_from = "server"
        if not usage.prompt_tokens and not usage.completion_tokens:
            usage = Usage(prompt_tokens, count_tokens(text))
            usage_from = "tokenizer"
        cost = self.prices.cost(call.model, usage.prompt_tokens, usage.completion_tokens)
        with self._lock:
            self.committed_gbp += cost - estimate
        if self.cache is not None:
            reply = CachedReply(
                _to_cache(text, ledger), usage.prompt_tokens, usage.completion_tokens
            )
            self.cache.put(key, call, reply)
        self._record(
            call,
            role,
            usage.prompt_tokens,
            usage.completion_tokens,
            cost,
            seconds,
            cached=False,
            usage_from=usage_from,
        )
        return text, usage, False

    def _record(
        self,
        call: ModelCall,
        role: str,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float,
        seconds: float,
        *,
        cached: bool,
        estimated: bool = False,
        usage_from: str = "server",
        error: str = "",
    ) -> None:
        ledger = _ledger.get()
        if ledger is None:
            return
        ledger.calls.append(
            CallRecord(
                role=role,
                model=call.model,
                kind=call.kind,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cost_gbp=cost,
                seconds=round(seconds, 3),
                cached=cached,
                estimated=estimated,
                usage_from=usage_from,
                error=error,
            )
        )

    @contextmanager
    def installed(self) -> Iterator[Meter]:
        """Hook into `bot.llm.client` for the block, restoring whatever was there before."""
        previous = set_model_call_hook(self)
        try:
            yield self
        finally:
            set_model_call_hook(previous)
