"""Hostile model output through the real litellm path: echoed keys, escape sequences, drips."""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach import llm
from coach.llm_cache import LlmCache
from tests.llm_fixtures import drip, json_reply, stream

from .test_llm_cli import OKRS, answer
from .test_llm_transport import GOOD, ask

pytestmark = pytest.mark.server

SECRET = "sk-live-SECRET-0123456789abcdefXYZ"
# Clear the screen, set the window title, plant an OSC-8 link, hide text with a bidi override,
# smuggle text in Unicode tag characters, and try Rich markup.
HOSTILE = (
    "\x1b[2J\x1b[H\x1b]0;pwned title\x07Looks fine"
    "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\"
    " \u202eevil\u202c \U000e0041\U000e0042 [link=https://evil.example]x[/link] [/]\x9b31m"
)
BAD = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\U000e0041")


@pytest.fixture
def keyed(monkeypatch, scripted_llm, tmp_path):
    """A provider key in the environment (the header the server can echo) and CLI settings."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OKR_COACH_MODEL", "openai/scripted")
    monkeypatch.setenv("OKR_COACH_API_BASE", scripted_llm.api_base)
    monkeypatch.setenv("OKR_COACH_LLM_TIMEOUT", "5")
    monkeypatch.setenv("OKR_COACH_LLM_MAX_RETRIES", "0")
    return ["--workspace", str(tmp_path / "ws")]


def test_an_echoed_key_is_redacted_before_caching_and_showing(
    scripted_llm, llm_settings, monkeypatch, tmp_path
):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    cache = LlmCache.for_workspace(tmp_path / "ws")
    scripted_llm.default(json_reply({"code": "OKR001", "note": "you sent {authorization}"}))
    first = ask(llm_settings, cache=cache)
    assert scripted_llm.requests()[0]["authorization"] == f"Bearer {SECRET}"  # it was echoed
    assert SECRET not in first.note and "***" in first.note
    [entry] = (tmp_path / "ws" / "cache" / "llm").rglob("*.json")
    assert SECRET not in entry.read_text(encoding="utf-8")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(cache.root.stat().st_mode) == 0o700
    # A cache written before redaction existed is redacted when replayed.
    entry.write_text(json.dumps({"text": json.dumps({**GOOD, "note": SECRET})}), "utf-8")
    assert SECRET not in ask(llm_settings, cache=cache).note
    assert len(scripted_llm.chat_requests()) == 1


def test_streamed_partials_never_show_the_key(scripted_llm, llm_settings, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    text = json.dumps({"code": "OKR001", "note": "echo: {authorization} done"})
    scripted_llm.script(stream(text, chunks=40))
    seen: list[str] = []
    out = ask(llm_settings, on_partial=seen.append)
    assert seen and SECRET not in out.note
    assert not any(SECRET[:12] in s for s in seen)


def test_redaction_keeps_ordinary_prose():
    from coach.redaction import redact_secrets

    prose = "The bearer of bad news said: risk-adjusted churn fell; api usage rose."
    assert redact_secrets(prose) == prose
    assert redact_secrets("Authorization: Bearer abc123def456") == "Authorization: ***"
    assert redact_secrets("authorization: token-without-digits") == "authorization: ***"
    assert redact_secrets(f"key={SECRET}!") == "key=***!"


def test_ask_cli_does_not_print_an_echoed_key(run_cli, keyed, scripted_llm, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "retro-2025-Q3.md").write_text(
        "# Retro 2025-Q3\n\nCold calling won 3 customers from 1,200 calls.\n", encoding="utf-8"
    )
    code, _, err = run_cli(*keyed, "ingest", str(docs), "--quiet")
    assert code == 0, err
    scripted_llm.default(json_reply({"answer": "Your header was {authorization} [1]"}))
    for _ in range(2):  # the second answer comes from the cache
        code, out, err = run_cli(*keyed, "ask", "what did cold calling give?")
        assert code == 0, err
        assert "***" in out and SECRET not in out + err
    assert len(scripted_llm.chat_requests()) == 1
    for entry in (tmp_path / "ws" / "cache").rglob("*"):
        if entry.is_file():
            assert SECRET.encode() not in entry.read_bytes()


def test_escape_sequences_from_the_model_never_reach_the_terminal(
    run_cli, keyed, scripted_llm, tmp_path: Path
):
    okr_file = tmp_path / "okrs.yaml"
    okr_file.write_text(OKRS, encoding="utf-8")
    hostile = answer()
    hostile["objective_note"] = HOSTILE
    hostile["key_results"][1]["rewrite"] = (
        "Raise repeat purchases \u202ehidden\u202c\x1b[m from ___ to ___ by 2026-06-30"
    )
    scripted_llm.default(json_reply(hostile))
    code, out, err = run_cli(*keyed, "critique", str(okr_file), "--objective", "1")
    assert code == 0, err
    assert not any(c in out + err for c in BAD)
    assert "Looks fine" in out and "click here" in out and "evil" in out  # text stays readable
    assert "[link=https://evil.example]x[/link]" in out  # shown as typed, not interpreted
    assert "Raise repeat purchases hidden from ___ to ___ by 2026-06-30" in out
    # JSON output keeps the exact text (it is data; json escapes the controls).
    code, out, _ = run_cli(
        *keyed, "critique", str(okr_file), "--objective", "1", "--format", "json"
    )
    assert json.loads(out)["objectives"][0]["note"] == HOSTILE


@pytest.fixture
def abandoned_requests_end() -> Iterator[None]:
    """A request given up on finishes in its own thread; wait for it, so it does not run on
    into other tests."""
    yield
    for t in threading.enumerate():
        if t.name == "okr-coach-llm-request":
            t.join(timeout=15)


@pytest.mark.usefixtures("abandoned_requests_end")
def test_a_dripping_server_is_cut_off_at_the_deadline(scripted_llm, llm_settings):
    # One byte every 0.05 s: each read arrives well within the timeout, the whole never does.
    body = json.dumps(GOOD) + " " * 40
    scripted_llm.script(json_reply(GOOD))
    ask(llm_settings)  # the first request of a process also loads litellm's HTTP stack
    scripted_llm.script(drip(body, interval=0.01), drip(body, interval=0.01))
    settings = llm_settings.model_copy(update={"timeout": 0.8, "max_retries": 1})
    started = time.monotonic()
    with pytest.raises(llm.LlmTimeout, match="did not answer within 0.8 s"):
        ask(settings)
    elapsed = time.monotonic() - started
    # Two attempts of 0.8 s and one back-off of 0.5 s; a per-read timeout would wait for the
    # whole body (about 4 s each here, forever for a server that never ends).
    assert 1.6 <= elapsed < 6, elapsed
    assert len(scripted_llm.chat_requests()) == 3


@pytest.mark.usefixtures("abandoned_requests_end")
def test_a_dripping_stream_stops_showing_text_after_the_deadline(scripted_llm, llm_settings):
    seen: list[str] = []
    scripted_llm.script(json_reply(GOOD))
    ask(llm_settings)
    scripted_llm.script(drip(json.dumps(GOOD), interval=0.01))
    with pytest.raises(llm.LlmTimeout):
        ask(llm_settings.model_copy(update={"timeout": 0.5}), on_partial=seen.append)
    time.sleep(0.5)
    assert seen == []
