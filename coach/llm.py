"""The one module that talks to language models (through litellm, imported lazily).

``complete_structured(messages, OutputModel, settings, ...)`` sends one request, parses and
validates the answer into a pydantic model, re-asks with the validation error a bounded number
of times and otherwise raises a typed :class:`LlmError` whose message a person understands.
Transport faults (timeouts, refused connections, 401, 429, 5xx) become typed errors too, after
our own bounded retries; callers fall back to the rule-based result.

Keys come only from the environment (litellm's own variables); they are never logged, cached
or put in a message. ``import litellm`` costs seconds, so it happens on the first call only.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from coach.errors import OkrCoachError
from coach.llm_cache import LlmCache, public_endpoint, request_key
from coach.prompting import schema_of
from coach.redaction import redact_secrets

if TYPE_CHECKING:
    from coach.config import LlmSettings

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")

# The messages a user reads, per UI language (str() of an error is the English one; the CLI
# and the TUI show ``error.localized(lang)``).
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "off": "LLM features are off; to turn them on set OKR_COACH_MODEL (or [llm] model in "
        "okr-coach.toml), e.g. openai/gpt-4o-mini, or a local server with OKR_COACH_API_BASE",
        "timeout": "{where} did not answer within {seconds} s",
        "auth": "{where} refused the credentials (401); set the provider's API key in the "
        "environment (for example OPENAI_API_KEY); keys are never read from files",
        "rate": "{where} is rate limiting requests (429)",
        "rate_after": "{where} is rate limiting requests (429), it asks to retry after {after} s",
        "connection": "cannot reach {where} (connection failed)",
        "budget": "budget exceeded: {detail}",
        "server": "{where} had an internal error ({status}): {detail}",
        "rejected": "{where} rejected the request ({status}): {detail}",
        "failed": "the call to {where} failed ({name}): {detail}",
        "refusal": "the model declined to answer",
        "refusal_why": "the model declined to answer: {reason}",
        "bad_output": "the model's answer was unusable after {attempts} attempts: {problem}",
        "session_budget": "the session's LLM budget of ${budget} is spent (${cost}); raise "
        "[llm] budget_usd or start a new session",
        "again": "{message} (not asked again for {seconds} s)",
        "no_passages": "no passages to answer from",
        "summary": "LLM: {requests} requests, {cached} cached answers, {tokens_in} tokens in / "
        "{tokens_out} out, {cost}{budget}",
        "cost_unknown": "cost unknown for this model",
        "of_budget": " of ${budget}",
    },
    "sv": {
        "off": "LLM-funktionerna är avstängda; slå på dem med OKR_COACH_MODEL (eller [llm] "
        "model i okr-coach.toml), t.ex. openai/gpt-4o-mini, eller en lokal server med "
        "OKR_COACH_API_BASE",
        "timeout": "{where} svarade inte inom {seconds} s",
        "auth": "{where} godtog inte inloggningsuppgifterna (401); sätt leverantörens API-nyckel "
        "i miljön (till exempel OPENAI_API_KEY); nycklar läses aldrig från filer",
        "rate": "{where} begränsar antalet anrop (429)",
        "rate_after": "{where} begränsar antalet anrop (429) och ber oss vänta {after} s",
        "connection": "når inte {where} (anslutningen misslyckades)",
        "budget": "budgeten är slut: {detail}",
        "server": "{where} fick ett internt fel ({status}): {detail}",
        "rejected": "{where} avvisade anropet ({status}): {detail}",
        "failed": "anropet till {where} misslyckades ({name}): {detail}",
        "refusal": "modellen avböjde att svara",
        "refusal_why": "modellen avböjde att svara: {reason}",
        "bad_output": "modellens svar gick inte att använda efter {attempts} försök: {problem}",
        "session_budget": "sessionens LLM-budget på ${budget} är förbrukad (${cost}); höj "
        "[llm] budget_usd eller starta en ny session",
        "again": "{message} (frågas inte igen på {seconds} s)",
        "no_passages": "inga avsnitt att svara utifrån",
        "summary": "LLM: {requests} anrop, {cached} svar från cachen, {tokens_in} token in / "
        "{tokens_out} ut, {cost}{budget}",
        "cost_unknown": "kostnaden okänd för den här modellen",
        "of_budget": " av ${budget}",
    },
}
OFF_HINT = _TEXT["en"]["off"]


def say(key: str, lang: str | None = "en", **params: Any) -> str:
    """A message of this module in the UI language (English when it has no translation)."""
    table = _TEXT.get(lang or "en", _TEXT["en"])
    return table.get(key, _TEXT["en"][key]).format(**params)


def off_hint(lang: str | None = "en") -> str:
    return say("off", lang)


# Local OpenAI-compatible servers need no key, but the OpenAI client refuses to send none.
PLACEHOLDER_KEY = "sk-local-no-key-needed"
MAX_RETRY_AFTER_S = 30.0
# litellm loads its HTTP stack (about 500 modules, 1-2 s) inside the first request of a
# process; that time is not the server's, so the first request gets this much extra.
FIRST_REQUEST_ALLOWANCE_S = 15.0
_http_stack_loaded = False


# ------------------------------------------------------------------------------------ errors


class LlmError(OkrCoachError):
    """A model call that did not give a usable answer. ``str()`` is the user's message."""

    kind = "error"

    def __init__(
        self,
        message: str,
        last_completion: str | None = None,
        *,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ):
        super().__init__(redact_secrets(message))
        self.last_completion = last_completion
        self.key, self.params = key, dict(params or {})
        self.again: str | None = None  # seconds until the session asks again, when it waits

    @classmethod
    def of(cls, key: str, last_completion: str | None = None, **params: Any) -> Any:
        """The error for a message of this module's table (English text, localisable)."""
        return cls(say(key, "en", **params), last_completion, key=key, params=params)

    def localized(self, lang: str | None) -> str:
        """The message in the UI language; a message from elsewhere stays as it is."""
        if self.key is None:
            return str(self)
        text = say(self.key, lang, **self.params)
        if self.again is not None:
            text = say("again", lang, message=text, seconds=self.again)
        return redact_secrets(text)


def _again(error: LlmError, seconds: str) -> LlmError:
    """The session's remembered failure, raised again with when it will next try."""
    out = type(error)(
        say("again", message=str(error), seconds=seconds), key=error.key, params=error.params
    )
    out.again = seconds
    return out


class LlmOff(LlmError):
    kind = "off"


class LlmTimeout(LlmError):
    kind = "timeout"


class LlmConnectionError(LlmError):
    kind = "connection"


class LlmAuthError(LlmError):
    kind = "auth"


class LlmRateLimited(LlmError):
    kind = "rate_limit"


class LlmServerError(LlmError):
    kind = "server"


class LlmRequestRejected(LlmError):
    kind = "rejected"


class LlmRefusal(LlmError):
    kind = "refusal"


class LlmCancelled(LlmError):
    """The caller cancelled (the TUI's escape): no further attempt is made."""

    kind = "cancelled"


class LlmBadOutput(LlmError):
    """The answer never validated; carries the last completion for debugging."""

    kind = "bad_output"


class LlmBudgetExceeded(LlmError):
    kind = "budget"


# ------------------------------------------------------------------------------ send switch

# Set while a caller (the TUI with sending off) forbids any request leaving the process. A
# context variable, so it holds for the thread that runs the call and for nothing else.
_BLOCKED: ContextVar[str | None] = ContextVar("okr_coach_sending_blocked", default=None)


@contextlib.contextmanager
def sending_blocked(reason: str) -> Iterator[None]:
    """Inside this block every chat or embedding request raises :class:`LlmOff` (``reason``)
    before anything is sent: the last line of defence behind a caller's own off switch."""
    token = _BLOCKED.set(reason)
    try:
        yield
    finally:
        _BLOCKED.reset(token)


def _refuse_if_blocked() -> None:
    reason = _BLOCKED.get()
    if reason is not None:
        raise LlmOff(reason)


# Set while a caller can cancel the call (a TUI worker): checked before every attempt, re-ask
# and backoff, so a cancelled call sends nothing more.
_CANCELLED: ContextVar[Callable[[], bool] | None] = ContextVar(
    "okr_coach_call_cancelled", default=None
)


@contextlib.contextmanager
def cancellable(is_cancelled: Callable[[], bool]) -> Iterator[None]:
    """Inside this block a call stops (:class:`LlmCancelled`) as soon as ``is_cancelled()``
    is true at an attempt, a re-ask or a retry's wait: a cancel never costs more requests."""
    token = _CANCELLED.set(is_cancelled)
    try:
        yield
    finally:
        _CANCELLED.reset(token)


def _stop_if_cancelled() -> None:
    check = _CANCELLED.get()
    if check is not None and check():
        raise LlmCancelled("cancelled")


def _wait(seconds: float) -> None:
    """A retry's backoff, cut short by a cancel."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        _stop_if_cancelled()
        time.sleep(min(left, 0.05))
    _stop_if_cancelled()


# -------------------------------------------------------------------------- usage and budget


@dataclass
class CallRecord:
    """One logical call: one task answer, possibly after re-asks and transport retries."""

    task: str
    model: str
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0
    seconds: float = 0.0
    cached: bool = False
    ok: bool = False
    error: str | None = None


@dataclass
class LlmSession:
    """Token, cost and call accounting for one CLI command or TUI session, with a budget."""

    budget_usd: float | None = None
    records: list[CallRecord] = field(default_factory=list)
    # A model that just refused the connection, rejected the key or hung is not asked again
    # for a while: one objective's failure should not cost every other objective a timeout.
    unreachable: tuple[LlmError, float] | None = None
    unreachable_for_s: float = 60.0

    @classmethod
    def for_settings(cls, settings: LlmSettings) -> LlmSession:
        return cls(budget_usd=settings.budget_usd)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.records)

    @property
    def cached_hits(self) -> int:
        return sum(1 for r in self.records if r.cached)

    @property
    def prompt_tokens(self) -> int:
        return sum(r.prompt_tokens for r in self.records)

    @property
    def completion_tokens(self) -> int:
        return sum(r.completion_tokens for r in self.records)

    @property
    def cost_usd(self) -> float:
        return sum(r.cost_usd or 0.0 for r in self.records)

    @property
    def cost_known(self) -> bool:
        return all(r.cost_usd is not None for r in self.records if not r.cached)

    def check_reachable(self) -> None:
        if self.unreachable is not None:
            error, since = self.unreachable
            if time.monotonic() - since < self.unreachable_for_s:
                seconds = f"{self.unreachable_for_s:g}"
                raise _again(error, seconds)
            self.unreachable = None

    def note_failure(self, error: LlmError) -> None:
        if isinstance(error, LlmConnectionError | LlmAuthError | LlmTimeout):
            self.unreachable = (error, time.monotonic())

    def check_budget(self) -> None:
        if self.budget_usd is not None and self.cost_usd >= self.budget_usd:
            raise LlmBudgetExceeded.of(
                "session_budget", budget=f"{self.budget_usd:g}", cost=f"{self.cost_usd:.4f}"
            )

    def summary(self, lang: str | None = "en") -> str:
        """One line for the CLI summary and the TUI status bar, in the UI language."""
        cost = f"${self.cost_usd:.4f}" if self.cost_known else say("cost_unknown", lang)
        budget = ""
        if self.budget_usd is not None:
            budget = say("of_budget", lang, budget=f"{self.budget_usd:g}")
        return say(
            "summary",
            lang,
            requests=self.requests,
            cached=self.cached_hits,
            tokens_in=self.prompt_tokens,
            tokens_out=self.completion_tokens,
            cost=cost,
            budget=budget,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "cached": self.cached_hits,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": round(self.cost_usd, 6) if self.cost_known else None,
            "budget_usd": self.budget_usd,
        }


# ---------------------------------------------------------------------------------- litellm


@functools.cache
def _litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no cost-map download
    import litellm

    litellm.suppress_debug_info = True  # no "give feedback" banners on stderr
    litellm.telemetry = False
    # Its INFO lines echo call details whenever an app configures logging at INFO: keep quiet.
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return litellm


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else "openai"


def _has_provider_key(model: str) -> bool:
    provider = _provider(model).upper().replace("-", "_")
    return any(os.environ.get(n) for n in (f"{provider}_API_KEY", "OPENAI_API_KEY"))


def _auth_kwargs(settings: LlmSettings) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if settings.api_base:
        kw["api_base"] = settings.api_base
        if not _has_provider_key(settings.model or ""):
            kw["api_key"] = PLACEHOLDER_KEY
    return kw


def _where(settings: LlmSettings) -> str:
    return public_endpoint(settings.api_base) or _provider(settings.model or "")


def schema_sent_as_format(settings: LlmSettings) -> bool:
    """True when every request carries the JSON schema as its response_format for certain (an
    OpenAI-compatible ``api_base``), so the prompt need not repeat it. Hosted providers are
    looked up in litellm only at request time: for them the prompt keeps the schema."""
    return settings.api_base is not None and _provider(settings.model or "") in (
        "openai",
        "hosted_vllm",
        "lm_studio",
        "llamafile",
    )


def _schema_format(model: type[BaseModel], settings: LlmSettings) -> dict[str, Any] | None:
    """JSON-schema response_format where the provider takes it; None means parse only."""
    litellm = _litellm()
    name = settings.model or ""
    openai_compatible = schema_sent_as_format(settings)
    try:
        supported = openai_compatible or litellm.supports_response_schema(model=name)
    except Exception:  # an unmapped model: fall back to parsing
        supported = openai_compatible
    if not supported:
        return None
    return {
        "type": "json_schema",
        "json_schema": {"name": model.__name__, "schema": schema_of(model)},
    }


def _retry_after(exc: Exception) -> float | None:
    for headers in (
        getattr(exc, "litellm_response_headers", None),
        getattr(getattr(exc, "response", None), "headers", None),
    ):
        if headers is None:
            continue
        try:
            value = headers.get("retry-after")
        except Exception:
            continue
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


def _translate(exc: Exception, settings: LlmSettings) -> tuple[LlmError, bool, float | None]:
    """Map a litellm/openai exception to (our error, retryable, retry-after seconds)."""
    where = _where(settings)
    seconds = f"{settings.timeout:g}"
    if isinstance(exc, _DeadlinePassed):  # first: litellm's lazy attributes may still import
        return LlmTimeout.of("timeout", where=where, seconds=seconds), True, None
    litellm = _litellm()
    status = getattr(exc, "status_code", None)
    text = str(exc)
    detail = redact_secrets(text.split(" - ", 1)[-1].strip())[:200]
    if isinstance(exc, litellm.Timeout):
        return LlmTimeout.of("timeout", where=where, seconds=seconds), True, None
    if isinstance(exc, litellm.AuthenticationError) or status == 401:
        return LlmAuthError.of("auth", where=where), False, None
    if isinstance(exc, litellm.RateLimitError) or status == 429:
        after = _retry_after(exc)
        if after is None:
            return LlmRateLimited.of("rate", where=where), True, after
        return LlmRateLimited.of("rate_after", where=where, after=f"{after:g}"), True, after
    connection = isinstance(exc, litellm.APIConnectionError) or "Connection error" in text
    if connection and (status is None or status >= 500):
        return LlmConnectionError.of("connection", where=where), True, None
    if isinstance(exc, litellm.BudgetExceededError):
        return LlmBudgetExceeded.of("budget", detail=detail), False, None
    if status is not None and int(status) >= 500:
        return LlmServerError.of("server", where=where, status=status, detail=detail), True, None
    if isinstance(exc, litellm.BadRequestError | litellm.NotFoundError) or status:
        rejected = LlmRequestRejected.of(
            "rejected", where=where, status=status or 400, detail=detail
        )
        return rejected, False, None
    failed = LlmError.of("failed", where=where, name=type(exc).__name__, detail=detail)
    return failed, False, None


class _CallerAbort(Exception):
    """An exception raised by the caller's ``on_partial`` (e.g. the TUI cancelling): it must
    reach the caller as it is, not become a model error or a retry."""

    def __init__(self, original: BaseException):
        super().__init__(str(original))
        self.original = original


@dataclass
class _Answer:
    text: str
    finish_reason: str | None
    refusal: str | None
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None


def _cost(response: Any) -> float | None:
    try:
        return float(_litellm().completion_cost(completion_response=response))
    except Exception:  # unmapped model (local servers): tokens are still counted
        return None


def _read_answer(response: Any) -> _Answer:
    choice = response.choices[0]
    message = choice.message
    refusal = getattr(message, "refusal", None) or (
        (getattr(message, "provider_specific_fields", None) or {}).get("refusal")
    )
    usage = getattr(response, "usage", None)
    # Redacted here, before the text is parsed, cached, shown or sent back in a re-ask: a
    # model or proxy that echoes the request must not turn the key into an answer.
    return _Answer(
        text=redact_secrets(message.content or ""),
        finish_reason=choice.finish_reason,
        refusal=redact_secrets(refusal) if refusal else refusal,
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        cost_usd=_cost(response),
    )


def _partial_view(text: str) -> str:
    """Streamed text fit to show: redacted, without its last, maybe half-received word (the
    first characters of a key are not yet recognisable as one)."""
    cut = max(text.rfind(" "), text.rfind("\n"), text.rfind('"'))
    return redact_secrets(text[: cut + 1])


def _request_once(
    messages: list[dict[str, str]],
    settings: LlmSettings,
    response_format: dict[str, Any] | None,
    on_partial: Callable[[str], None] | None,
    expired: Callable[[], bool] = lambda: False,
) -> _Answer:
    litellm = _litellm()
    kwargs: dict[str, Any] = {
        "model": settings.model,
        "messages": messages,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
        "timeout": settings.timeout,
        # Retries are ours (see _request): the client's and litellm's would multiply requests.
        "max_retries": 0,
        "num_retries": 0,
        "drop_params": True,
        **_auth_kwargs(settings),
    }
    if response_format is not None:
        kwargs["response_format"] = response_format
    if on_partial is None:
        return _read_answer(litellm.completion(**kwargs))
    kwargs["stream"] = True
    kwargs["stream_options"] = {"include_usage": True}
    chunks = []
    text = ""
    for chunk in litellm.completion(**kwargs):
        if expired():  # given up on: stop reading, and show nothing more
            raise _DeadlinePassed
        chunks.append(chunk)
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
            try:
                on_partial(_partial_view(text))
            except Exception as e:
                raise _CallerAbort(e) from e
    if text:
        try:
            on_partial(redact_secrets(text))  # the whole text, now that no word is half-sent
        except Exception as e:
            raise _CallerAbort(e) from e
    built = litellm.stream_chunk_builder(chunks, messages=messages)
    if built is None:
        return _Answer("", None, None, 0, 0, None)
    return _read_answer(built)


class _DeadlinePassed(Exception):
    """The whole request took longer than ``settings.timeout``."""


def _within_deadline(call: Callable[[Callable[[], bool]], R], seconds: float) -> R:
    """``call(expired)`` in a daemon thread, given up on after ``seconds`` in all.

    The HTTP client's timeout is per read, so a server that drips a byte a second never
    trips it; this bounds the whole request, connect to last byte. A request given up on is
    left to end in its thread (it stops at its next streamed chunk, or at the client's
    per-read timeout) and its late answer is dropped.
    """
    done = threading.Event()
    expired = threading.Event()
    box: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            box.append((True, call(expired.is_set)))
        except BaseException as e:  # handed to the caller's thread below
            box.append((False, e))
        finally:
            done.set()

    threading.Thread(target=run, name="okr-coach-llm-request", daemon=True).start()
    if not done.wait(seconds):
        expired.set()
        raise _DeadlinePassed
    ok, value = box[0]
    if ok:
        return value
    raise value


def _request(
    messages: list[dict[str, str]],
    settings: LlmSettings,
    response_format: dict[str, Any] | None,
    on_partial: Callable[[str], None] | None,
    record: CallRecord,
) -> _Answer:
    """One answer, with up to ``settings.max_retries`` retries on transient faults."""
    global _http_stack_loaded
    for attempt in range(settings.max_retries + 1):
        _refuse_if_blocked()
        _stop_if_cancelled()
        record.requests += 1
        allowance = 0.0 if _http_stack_loaded else FIRST_REQUEST_ALLOWANCE_S
        try:
            answer = _within_deadline(
                lambda expired: _request_once(
                    messages, settings, response_format, on_partial, expired
                ),
                settings.timeout + allowance,
            )
            _http_stack_loaded = True
            return answer
        except _CallerAbort as abort:
            raise abort.original from None
        except Exception as exc:
            _http_stack_loaded = _http_stack_loaded or not isinstance(exc, _DeadlinePassed)
            error, retryable, after = _translate(exc, settings)
            if not retryable or attempt >= settings.max_retries:
                raise error from None
            delay = after if after is not None else min(8.0, 0.5 * 2**attempt)
            _wait(min(delay, MAX_RETRY_AFTER_S))
    raise AssertionError("unreachable")  # the loop always returns or raises


# ------------------------------------------------------------------------ parse and validate


_FENCED_JSON = re.compile(r"```(?:json)?\s*\n(.*?)\n?```", re.DOTALL)


def extract_json(text: str) -> Any:
    """The JSON object in an answer: bare, in a ```json block, or amid some prose."""
    candidates = [text.strip()]
    candidates += [m.group(1).strip() for m in _FENCED_JSON.finditer(text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    last: ValueError | None = None
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError as e:
            last = e
    raise ValueError(f"not valid JSON ({last})")


def describe_validation_error(err: ValidationError, limit: int = 8) -> str:
    parts = []
    for e in err.errors()[:limit]:
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        parts.append(f"{loc}: {e['msg']}")
    more = len(err.errors()) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def parse_answer(
    answer_text: str,
    output_model: type[T],
    context: dict[str, Any] | None = None,
    finish_reason: str | None = None,
) -> T:
    """Parse and validate; raises ValueError with a message fit to send back to the model."""
    if not answer_text.strip():
        raise ValueError("the answer was empty")
    try:
        data = extract_json(answer_text)
    except ValueError as e:
        cut = " (it was cut off at the token limit)" if finish_reason == "length" else ""
        raise ValueError(f"the answer was {e}{cut}") from None
    try:
        return output_model.model_validate(data, context=context or {})
    except ValidationError as e:
        raise ValueError(
            f"the JSON did not match the schema: {describe_validation_error(e)}"
        ) from None


def _reask_message(problem: str) -> str:
    return (
        f"Your previous answer could not be used: {problem}. Reply again with only one JSON "
        "object that matches the schema, fixing exactly these problems."
    )


def complete_structured(
    messages: list[dict[str, str]],
    output_model: type[T],
    settings: LlmSettings,
    *,
    task: str,
    session: LlmSession | None = None,
    context: dict[str, Any] | None = None,
    cache: LlmCache | None = None,
    cache_parts: dict[str, Any] | None = None,
    on_partial: Callable[[str], None] | None = None,
    max_reasks: int = 2,
) -> T:
    """Ask for a JSON answer matching ``output_model`` and return it validated.

    ``context`` reaches the model's validators (known rule codes, KPI ids, passage ids).
    ``on_partial`` receives the text so far while streaming; the end result is validated.
    """
    if not settings.enabled:
        raise LlmOff.of("off")
    session = session if session is not None else LlmSession.for_settings(settings)
    record = CallRecord(task=task, model=settings.model or "")
    session.records.append(record)
    started = time.monotonic()
    key = request_key(
        {
            "model": settings.model,
            "api_base": public_endpoint(settings.api_base),
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens,
            "task": task,
            "schema": schema_of(output_model),
            "messages": messages,
            **(cache_parts or {}),
        }
    )
    if cache is not None and (hit := cache.get(key)) is not None:
        hit["text"] = redact_secrets(hit["text"])  # an entry written before redaction existed
        try:
            result = parse_answer(hit["text"], output_model, context)
        except ValueError:
            pass  # stale under today's registries: ask again
        else:
            record.cached, record.ok, record.cost_usd = True, True, 0.0
            record.seconds = time.monotonic() - started
            if on_partial is not None:
                on_partial(hit["text"])  # the whole answer at once; a cancel propagates
            return result
    response_format = _schema_format(output_model, settings)
    convo = list(messages)
    last_text = ""
    problem = ""
    try:
        session.check_reachable()
        for _ in range(max_reasks + 1):
            session.check_budget()
            answer = _request(convo, settings, response_format, on_partial, record)
            record.prompt_tokens += answer.prompt_tokens
            record.completion_tokens += answer.completion_tokens
            if answer.cost_usd is None or record.cost_usd is None:
                record.cost_usd = None
            else:
                record.cost_usd += answer.cost_usd
            if answer.refusal or answer.finish_reason == "content_filter":
                if answer.refusal:
                    raise LlmRefusal.of("refusal_why", reason=answer.refusal)
                raise LlmRefusal.of("refusal")
            last_text = answer.text
            try:
                result = parse_answer(answer.text, output_model, context, answer.finish_reason)
            except ValueError as e:
                problem = str(e)
                convo += [
                    {"role": "assistant", "content": answer.text[:4000]},
                    {"role": "user", "content": _reask_message(problem)},
                ]
                continue
            record.ok = True
            if cache is not None:
                cache.put(key, answer.text, {"task": task, "model": settings.model})
            return result
        attempts = max_reasks + 1
        raise LlmBadOutput.of("bad_output", last_text, attempts=attempts, problem=problem)
    except LlmError as e:
        record.error = str(e)
        session.note_failure(e)
        raise
    finally:
        record.seconds = time.monotonic() - started


def embed_texts(model: str, texts: list[str], llm_settings: LlmSettings) -> list[list[float]]:
    """Embeddings through litellm (used by the ``litellm:<model>`` embedding backend)."""
    if not texts:
        return []
    _refuse_if_blocked()
    litellm = _litellm()
    settings = llm_settings.model_copy(update={"model": model})
    vectors: list[list[float]] = []
    for start in range(0, len(texts), 256):
        batch = texts[start : start + 256]
        for attempt in range(settings.max_retries + 1):
            _refuse_if_blocked()
            try:
                response = _within_deadline(
                    lambda _expired, batch=batch: litellm.embedding(
                        model=model,
                        input=batch,
                        timeout=settings.timeout,
                        max_retries=0,
                        **_auth_kwargs(settings),
                    ),
                    settings.timeout + (0.0 if _http_stack_loaded else FIRST_REQUEST_ALLOWANCE_S),
                )
                break
            except Exception as exc:
                error, retryable, after = _translate(exc, settings)
                if not retryable or attempt >= settings.max_retries:
                    raise error from None
                time.sleep(min(after if after is not None else 0.5 * 2**attempt, 8.0))
        data = sorted(response.data, key=lambda d: d["index"] if isinstance(d, dict) else d.index)
        for item in data:
            vectors.append(list(item["embedding"] if isinstance(item, dict) else item.embedding))
    return vectors
