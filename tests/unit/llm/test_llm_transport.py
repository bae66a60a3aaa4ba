"""The real litellm HTTP path against the scripted server: success, streaming, faults."""

from __future__ import annotations

import time

import pytest
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from coach import llm
from tests.llm_fixtures import content, empty, hang, json_reply, refusal, status, stream, truncated

pytestmark = pytest.mark.server


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    note: str

    @field_validator("code")
    @classmethod
    def _known(cls, v: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("codes")
        if known is not None and v not in known:
            raise ValueError(f"unknown rule code {v!r}")
        return v


MESSAGES = [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "hi"}]
GOOD = {"code": "OKR001", "note": "fine"}


def ask(settings, **kw):
    kw.setdefault("session", llm.LlmSession())
    return llm.complete_structured(MESSAGES, Verdict, settings, task="test", **kw)


def test_success_sends_schema_and_counts_tokens(scripted_llm, llm_settings):
    scripted_llm.script(json_reply(GOOD))
    session = llm.LlmSession()
    out = ask(llm_settings, session=session)
    assert out == Verdict(**GOOD)
    [req] = scripted_llm.requests()
    body = req["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["additionalProperties"] is False
    assert body["messages"] == MESSAGES
    assert body["max_tokens"] == llm_settings.max_tokens
    # No key configured and an api_base: the placeholder key, never nothing.
    assert req["authorization"] == f"Bearer {llm.PLACEHOLDER_KEY}"
    assert session.requests == 1 and session.prompt_tokens > 0 and session.completion_tokens > 0
    assert not session.cost_known  # an unmapped local model: tokens counted, cost unknown
    assert "1 requests" in session.summary()


def test_answer_in_code_fence_with_prose_is_accepted(scripted_llm, llm_settings):
    scripted_llm.script(content('Sure! Here it is:\n```json\n{"code": "OKR001", "note": "x"}\n```'))
    assert ask(llm_settings).note == "x"


def test_streaming_reports_partial_text_then_validates(scripted_llm, llm_settings):
    import json

    scripted_llm.script(stream(json.dumps(GOOD), chunks=5))
    seen: list[str] = []
    session = llm.LlmSession()
    out = ask(llm_settings, on_partial=seen.append, session=session)
    assert out.code == "OKR001"
    assert len(seen) >= 3 and seen[-1] == json.dumps(GOOD)
    assert all(b.startswith(a) for a, b in zip(seen, seen[1:], strict=False))
    assert scripted_llm.chat_requests()[0]["stream"] is True
    assert session.completion_tokens > 0


def test_junk_then_valid_reasks_with_the_error(scripted_llm, llm_settings):
    scripted_llm.script(
        content("not json at all"), json_reply({"code": "OKR999", "note": "x"}), json_reply(GOOD)
    )
    out = ask(llm_settings, context={"codes": {"OKR001"}})
    assert out.code == "OKR001"
    reqs = scripted_llm.chat_requests()
    assert len(reqs) == 3
    assert "not valid JSON" in reqs[1]["messages"][-1]["content"]
    assert "unknown rule code 'OKR999'" in reqs[2]["messages"][-1]["content"]
    assert reqs[2]["messages"][-2] == {
        "role": "assistant",
        "content": '{"code": "OKR999", "note": "x"}',
    }


def test_gives_up_with_typed_error_carrying_last_completion(scripted_llm, llm_settings):
    scripted_llm.default(content("still junk"))
    with pytest.raises(llm.LlmBadOutput) as info:
        ask(llm_settings, max_reasks=1)
    assert info.value.last_completion == "still junk"
    assert "after 2 attempts" in str(info.value)
    assert len(scripted_llm.chat_requests()) == 2


def test_truncated_json_is_named(scripted_llm, llm_settings):
    scripted_llm.default(truncated('{"code": "OKR0'))
    with pytest.raises(llm.LlmBadOutput, match="cut off at the token limit"):
        ask(llm_settings, max_reasks=0)


def test_empty_answer(scripted_llm, llm_settings):
    scripted_llm.default(empty())
    with pytest.raises(llm.LlmBadOutput, match="empty"):
        ask(llm_settings, max_reasks=1)


def test_refusal_is_not_reasked(scripted_llm, llm_settings):
    scripted_llm.script(refusal("I can't help with that."))
    with pytest.raises(llm.LlmRefusal, match="declined to answer: I can't help"):
        ask(llm_settings)
    assert len(scripted_llm.chat_requests()) == 1


def test_429_respects_retry_after(scripted_llm, llm_settings):
    scripted_llm.script(status(429, {"Retry-After": "1"}), json_reply(GOOD))
    started = time.monotonic()
    out = ask(llm_settings.model_copy(update={"max_retries": 1}))
    assert out.code == "OKR001"
    assert time.monotonic() - started >= 0.9
    assert len(scripted_llm.chat_requests()) == 2


def test_429_without_retries_left(scripted_llm, llm_settings):
    scripted_llm.script(status(429, {"Retry-After": "7"}))
    with pytest.raises(
        llm.LlmRateLimited, match=r"rate limiting requests \(429\), it asks to retry after 7 s"
    ):
        ask(llm_settings)
    assert len(scripted_llm.chat_requests()) == 1


def test_500_retried_exactly_max_retries_times(scripted_llm, llm_settings):
    scripted_llm.default(status(500))
    with pytest.raises(llm.LlmServerError, match=r"internal error \(500\)"):
        ask(llm_settings.model_copy(update={"max_retries": 2}))
    assert len(scripted_llm.chat_requests()) == 3  # 1 + max_retries, never 2N+1


def test_401_names_the_fix_and_never_the_key(
    scripted_llm, llm_settings, monkeypatch, capsys, caplog
):
    secret = "sk-test-SECRET-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    body = {
        "error": {
            "message": f"Incorrect API key provided: {secret}",
            "type": "invalid_request_error",
        }
    }
    scripted_llm.script(status(401, body=body))
    with pytest.raises(llm.LlmAuthError) as info:
        ask(llm_settings.model_copy(update={"max_retries": 3}))
    assert "401" in str(info.value) and "OPENAI_API_KEY" in str(info.value)
    assert secret not in str(info.value)
    out, err = capsys.readouterr()
    assert secret not in out + err + caplog.text
    assert len(scripted_llm.chat_requests()) == 1  # auth errors are not retried
    # With a key in the environment, it is sent instead of the placeholder.
    assert scripted_llm.requests()[0]["authorization"] == f"Bearer {secret}"


def test_hang_past_the_timeout(scripted_llm, llm_settings):
    scripted_llm.script(hang(3))
    started = time.monotonic()
    with pytest.raises(llm.LlmTimeout, match="did not answer within 0.5 s"):
        ask(llm_settings.model_copy(update={"timeout": 0.5}))
    assert time.monotonic() - started < 2.5


def test_connection_refused(llm_settings):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = llm_settings.model_copy(update={"api_base": f"http://user:pw@127.0.0.1:{port}/v1"})
    with pytest.raises(llm.LlmConnectionError) as info:
        ask(settings)
    assert f"cannot reach http://127.0.0.1:{port}/v1" in str(info.value)
    assert "pw" not in str(info.value)


def test_an_unreachable_model_is_not_asked_again_within_the_session(llm_settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = llm_settings.model_copy(update={"api_base": f"http://127.0.0.1:{port}/v1"})
    session = llm.LlmSession.for_settings(settings)
    with pytest.raises(llm.LlmConnectionError):
        ask(settings, session=session)
    started = time.monotonic()
    with pytest.raises(llm.LlmConnectionError, match="not asked again"):
        ask(settings, session=session)
    assert time.monotonic() - started < 0.2
    session.unreachable_for_s = 0  # after the pause it is tried again
    with pytest.raises(llm.LlmConnectionError) as info:
        ask(settings, session=session)
    assert "not asked again" not in str(info.value)


def test_no_model_is_off_with_a_hint(llm_settings):
    with pytest.raises(llm.LlmOff, match="OKR_COACH_MODEL"):
        ask(llm_settings.model_copy(update={"model": None}))


def test_sending_blocked_refuses_chat_and_embeddings_before_sending(scripted_llm, llm_settings):
    scripted_llm.default(json_reply(GOOD))
    with llm.sending_blocked("sending is off"):
        with pytest.raises(llm.LlmOff, match="sending is off"):
            ask(llm_settings)
        with pytest.raises(llm.LlmOff, match="sending is off"):
            llm.embed_texts("openai/scripted-embed", ["a text"], llm_settings)
    assert scripted_llm.requests() == []
    assert ask(llm_settings) == Verdict(**GOOD)  # the block ends with its context


def test_a_cancel_during_the_retry_wait_sends_nothing_more(scripted_llm, llm_settings):
    scripted_llm.default(status(429, headers={"retry-after": "5"}))
    cancelled_at: list[float] = []

    def cancelled() -> bool:  # the user presses escape once the first request has failed
        if not cancelled_at and scripted_llm.chat_requests():
            cancelled_at.append(time.monotonic())
        return bool(cancelled_at)

    with llm.cancellable(cancelled), pytest.raises(llm.LlmCancelled):
        ask(llm_settings.model_copy(update={"max_retries": 2}))
    assert len(scripted_llm.chat_requests()) == 1
    assert time.monotonic() - cancelled_at[0] < 4  # the 5 s wait was cut short


def test_budget_stops_further_calls(scripted_llm, llm_settings):
    # A model the local cost map knows, served by the scripted server: real cost accounting.
    settings = llm_settings.model_copy(update={"model": "openai/gpt-4o-mini", "budget_usd": 1e-9})
    scripted_llm.default(json_reply(GOOD))
    session = llm.LlmSession.for_settings(settings)
    ask(settings, session=session)
    assert session.cost_known and session.cost_usd > 0
    with pytest.raises(llm.LlmBudgetExceeded, match="budget"):
        ask(settings, session=session)
    assert len(scripted_llm.chat_requests()) == 1


def test_cache_answers_repeats_without_calls(scripted_llm, llm_settings, tmp_path):
    from coach.llm_cache import LlmCache

    cache = LlmCache.for_workspace(tmp_path / "ws")
    scripted_llm.default(json_reply(GOOD))
    session = llm.LlmSession()
    assert ask(llm_settings, cache=cache, session=session) == ask(
        llm_settings, cache=cache, session=session
    )
    assert len(scripted_llm.chat_requests()) == 1
    assert session.cached_hits == 1 and session.requests == 1
    stored = list((tmp_path / "ws" / "cache" / "llm").rglob("*.json"))
    assert len(stored) == 1 and "sk-" not in stored[0].read_text()
    # A disabled cache (--no-cache) asks again; a different temperature is a different request.
    ask(llm_settings, cache=LlmCache.for_workspace(tmp_path / "ws", enabled=False))
    ask(llm_settings.model_copy(update={"temperature": 0.9}), cache=cache)
    assert len(scripted_llm.chat_requests()) == 3


def test_embed_texts_over_http(scripted_llm, llm_settings):
    vecs = llm.embed_texts("openai/scripted-embed", ["a", "b", "a"], llm_settings)
    assert len(vecs) == 3 and vecs[0] == vecs[2] and vecs[0] != vecs[1]
    assert scripted_llm.requests()[0]["body"]["input"] == ["a", "b", "a"]


def test_exception_from_on_partial_reaches_the_caller(scripted_llm, llm_settings):
    """The TUI cancels a streaming critique by raising from its callback."""
    import json

    class Cancelled(Exception):
        pass

    def cancel(_text: str) -> None:
        raise Cancelled

    scripted_llm.script(stream(json.dumps(GOOD), chunks=5))
    with pytest.raises(Cancelled):
        ask(llm_settings.model_copy(update={"max_retries": 2}), on_partial=cancel)
    assert len(scripted_llm.chat_requests()) == 1  # not retried, not re-asked


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("key_results.0.kpis: unknown KPI id", "key_results.0.kpis: unknown KPI id"),
        ("Incorrect API key provided: sk-abc123456789xyz.", "Incorrect API key provided: ***."),
        ('{"api_key": "abcdef12345"}', '{"***"}'),
        ("Authorization: Bearer abcdefghijk", "Authorization: ***"),
    ],
)
def test_messages_never_show_credentials(raw, shown):
    assert str(llm.LlmError(raw)) == shown
