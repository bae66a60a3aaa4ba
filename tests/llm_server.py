"""A scripted OpenAI-compatible HTTP server for tests and benchmarks (127.0.0.1 only).

Run as a script: ``python tests/llm_server.py --port-file PATH`` writes the chosen port to
PATH once it listens. Tests talk to it through :class:`tests.llm_fixtures.ScriptedLlm`.

Endpoints an OpenAI client uses:
- ``POST /v1/chat/completions`` answers with the next scripted reply (or the default one);
- ``POST /v1/embeddings`` answers with deterministic vectors (a hash of each input).

Control endpoints (the test drives the server with these):
- ``POST /_script`` body ``{"replies": [...], "default": {...} | null}``: queue replies;
- ``GET /_requests``: every chat/embedding request received so far, in order;
- ``POST /_reset``: clear the queue, the default and the recorded requests.

A reply is a JSON object with a ``kind``:
``content`` (``text``, optional ``finish_reason``, ``usage``), ``stream`` (``text``, ``chunks``),
``status`` (``status``, ``headers``, ``body``), ``hang`` (``seconds``), ``refusal`` (``text``),
``empty``, ``drip`` (a ``content`` answer sent one byte every ``interval`` seconds: no read
ever times out, only a whole-request deadline ends it). ``truncated`` is ``content`` with
``finish_reason: "length"``. In any ``text``, ``{authorization}`` is replaced by the request's
Authorization header (a proxy or model that echoes the request).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_state: dict[str, Any] = {"replies": [], "default": None, "requests": []}

DEFAULT_REPLY = {"kind": "content", "text": "{}"}


def _next_reply() -> dict[str, Any]:
    with _lock:
        if _state["replies"]:
            return _state["replies"].pop(0)
        return _state["default"] or DEFAULT_REPLY


def _usage(body: dict[str, Any], text: str) -> dict[str, int]:
    """A rough, deterministic token count: about four characters per token."""
    prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
    p, c = max(1, prompt // 4), max(1, len(text) // 4) if text else 0
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def _completion(body: dict[str, Any], message: dict[str, Any], finish: str, text: str) -> dict:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": _usage(body, text),
    }


def _embedding(text: str, dim: int = 16) -> list[float]:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    vec = [(b - 127.5) / 127.5 for b in digest[:dim]]
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep the log short
        sys.stdout.write(f"{self.command} {self.path}\n")
        sys.stdout.flush()

    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(data).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> dict[str, Any]:
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b"{}"
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return {"_unparsed": raw.decode("utf-8", "replace")}

    def do_GET(self) -> None:
        if self.path == "/_requests":
            with _lock:
                self._send_json(200, list(_state["requests"]))
        elif self.path == "/_health":
            self._send_json(200, {"ok": True})
        else:
            self._send_json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        body = self._body()
        if self.path == "/_script":
            with _lock:
                _state["replies"].extend(body.get("replies", []))
                if "default" in body:
                    _state["default"] = body["default"]
            self._send_json(200, {"queued": len(_state["replies"])})
            return
        if self.path == "/_reset":
            with _lock:
                _state.update(replies=[], default=None, requests=[])
            self._send_json(200, {"ok": True})
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        record = {"path": self.path, "body": body, "authorization": headers.get("authorization")}
        with _lock:
            _state["requests"].append(record)
        if self.path.endswith("/embeddings"):
            inputs = body.get("input", [])
            inputs = [inputs] if isinstance(inputs, str) else inputs
            data = [
                {"object": "embedding", "index": i, "embedding": _embedding(str(t))}
                for i, t in enumerate(inputs)
            ]
            usage = {"prompt_tokens": len(inputs), "total_tokens": len(inputs)}
            self._send_json(
                200, {"object": "list", "data": data, "model": "scripted", "usage": usage}
            )
            return
        if not self.path.endswith("/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        reply = dict(_next_reply())
        if isinstance(reply.get("text"), str):
            reply["text"] = reply["text"].replace("{authorization}", str(record["authorization"]))
        self._reply(body, reply)

    def _drip(self, data: dict[str, Any], interval: float) -> None:
        raw = json.dumps(data).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        try:
            for i in range(len(raw)):
                self.wfile.write(raw[i : i + 1])
                self.wfile.flush()
                time.sleep(interval)
        except OSError:  # the client gave up: that is the point
            self.close_connection = True

    def _reply(self, body: dict[str, Any], reply: dict[str, Any]) -> None:
        kind = reply.get("kind", "content")
        if kind == "drip":
            text = str(reply.get("text", "{}"))
            msg = {"role": "assistant", "content": text}
            self._drip(_completion(body, msg, "stop", text), float(reply.get("interval", 1.0)))
            return
        if kind == "hang":
            time.sleep(float(reply.get("seconds", 30)))
            kind = "content"
        if kind == "status":
            status = int(reply.get("status", 500))
            err = reply.get("body") or {"error": {"message": f"scripted {status}", "type": "x"}}
            self._send_json(status, err, reply.get("headers"))
            return
        if kind == "refusal":
            msg = {"role": "assistant", "content": None, "refusal": reply.get("text", "No.")}
            self._send_json(200, _completion(body, msg, "stop", ""))
            return
        text = "" if kind == "empty" else str(reply.get("text", ""))
        if kind == "stream" or body.get("stream"):
            self._stream(body, text, int(reply.get("chunks", 4)))
            return
        msg = {"role": "assistant", "content": text}
        finish = reply.get("finish_reason", "stop")
        data = _completion(body, msg, finish, text)
        if reply.get("usage"):
            data["usage"] = reply["usage"]
        self._send_json(200, data)

    def _stream(self, body: dict[str, Any], text: str, chunks: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        size = max(1, math.ceil(len(text) / max(1, chunks)))
        parts = [text[i : i + size] for i in range(0, len(text), size)] or [""]
        base = {"id": "chatcmpl-stream", "object": "chat.completion.chunk", "created": 0}
        base["model"] = body.get("model", "scripted")
        for i, part in enumerate(parts):
            delta: dict[str, Any] = {"content": part}
            if i == 0:
                delta["role"] = "assistant"
            event = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        last = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        if (body.get("stream_options") or {}).get("include_usage"):
            last["usage"] = _usage(body, text)
        self.wfile.write(f"data: {json.dumps(last)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", type=Path, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    tmp = args.port_file.with_suffix(".tmp")
    tmp.write_text(str(server.server_address[1]), encoding="utf-8")
    tmp.replace(args.port_file)  # the reader never sees a half-written port
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
