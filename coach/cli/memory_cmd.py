"""Memory commands: ingest, ask, forget, reindex (heavy imports stay inside the handlers)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from coach.cli.context import CliContext
from coach.text_safety import terminal_safe

if TYPE_CHECKING:
    from coach.memory import IngestReport, MemoryStore
    from coach.models import Passage

KINDS = ["retro", "checkin", "okrs", "notes"]

_TEXT = {
    "en": {
        "empty": "Memory is empty: add past cycles with `okr-coach ingest PATH`.",
        "none": "No passage in memory matches that question.",
        "answer": "Answer",
        "sources": "Passages",
        "no_llm": "(no LLM configured: these are the passages; set [llm] model for a written answer)",
        "llm_failed": "note: no written answer ({error}); showing the passages only.",
        "lines": "lines",
        "score": "score",
    },
    "sv": {
        "empty": "Minnet är tomt: lägg till tidigare cykler med `okr-coach ingest SÖKVÄG`.",
        "none": "Inget avsnitt i minnet matchar frågan.",
        "answer": "Svar",
        "sources": "Avsnitt",
        "no_llm": "(ingen LLM konfigurerad: här är avsnitten; ange [llm] model för ett skrivet svar)",
        "llm_failed": "obs: inget skrivet svar ({error}); visar bara avsnitten.",
        "lines": "rader",
        "score": "relevans",
    },
}


def register(sub: argparse._SubParsersAction) -> None:
    common = [sub.common]  # type: ignore[attr-defined]

    p = sub.add_parser(
        "ingest",
        parents=common,
        help="remember past-cycle documents (retros, check-ins, OKR sets, notes)",
        description="Add documents to memory: Markdown, text, HTML, PDF, DOCX, CSV and cycle "
        "files (YAML/JSON). Folders are read recursively. Unchanged files are skipped, changed "
        "ones replaced. With no PATH: the workspace's cycles/, retros/ and docs/ folders.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders")
    p.add_argument("--cycle", help="cycle id for these documents, e.g. 2025-Q4 (default: guessed)")
    p.add_argument("--team", help="team the documents belong to")
    p.add_argument(
        "--kind", choices=KINDS, help="kind of document (default: guessed from the path)"
    )
    p.add_argument("--prune", action="store_true", help="forget ingested files that are gone")
    p.add_argument("--quiet", action="store_true", help="no progress bar (for scripts)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "ask", parents=common, help="ask what past cycles taught (passages, cited answer)"
    )
    p.add_argument("question")
    p.add_argument("--cycle", help="only passages from this cycle")
    p.add_argument("--team", help="only passages from this team")
    p.add_argument("--kind", choices=KINDS, help="only this kind of document")
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("forget", parents=common, help="drop a document (or a folder) from memory")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser(
        "reindex",
        parents=common,
        help="rebuild memory from the ingested files (after changing the embedding backend)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar (for scripts)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_reindex)


def _say(ctx: CliContext, key: str, **kw: Any) -> str:
    return _TEXT.get(ctx.lang(), _TEXT["en"])[key].format(**kw)


def _progress_runner(quiet: bool):
    """A rich progress bar on stderr (files, chunks, chunks/s), or nothing."""
    import contextlib

    from rich.console import Console

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        return contextlib.nullcontext(None)

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[chunks]} chunks · {task.fields[rate]:.0f} chunks/s"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _with_progress(quiet: bool, label: str, run):
    import time

    with _progress_runner(quiet) as bar:
        if bar is None:
            return run(None)
        task = bar.add_task(label, total=None, chunks=0, rate=0.0)
        started = time.perf_counter()

        def update(done: int, total: int, chunks: int, path: str) -> None:
            rate = chunks / max(time.perf_counter() - started, 1e-6)
            bar.update(task, completed=done, total=total, chunks=chunks, rate=rate)

        return run(update)


def _open_store(ctx: CliContext, check_backend: bool = True) -> MemoryStore:
    from coach.memory import MemoryStore

    return MemoryStore.open(ctx.settings, check_backend=check_backend)


def _report_out(ctx: CliContext, args: argparse.Namespace, report: IngestReport, verb: str) -> int:
    if args.format == "json":
        data = report.model_dump(mode="json")
        data["skipped"] = [{"path": s.path, "error": s.reason} for s in report.skipped]
        data["chunks_per_second"] = round(report.chunks_per_second, 1)
        ctx.out_json(data)
    else:
        for s in report.skipped:
            ctx.err(f"skipped {s.path}: {s.reason}")
        parts = [
            f"{report.files_added} new",
            f"{report.files_updated} changed",
            f"{report.files_unchanged} unchanged",
        ]
        if report.files_pruned:
            parts.append(f"{report.files_pruned} pruned")
        if report.skipped:
            parts.append(f"{len(report.skipped)} skipped")
        ctx.out(
            f"{verb} {report.files_seen} files ({', '.join(parts)}): +{report.chunks_added} "
            f"−{report.chunks_removed} chunks, {report.chunks_total} in memory, "
            f"{report.seconds:.1f} s ({report.chunks_per_second:.0f} chunks/s)"
        )
    return 2 if report.skipped else 0


def cmd_ingest(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.errors import InputError
    from coach.workspace import Workspace

    paths = list(args.paths)
    if not paths:
        ws = Workspace(ctx.settings.workspace)
        paths = [str(d) for d in ws.memory_sources()]
        if not paths:
            raise InputError(f"nothing to ingest: name files or folders (workspace {ws.root})")
    store = _open_store(ctx)
    report = _with_progress(
        args.quiet or args.format == "json",
        "ingest",
        lambda cb: store.ingest(
            paths, cycle=args.cycle, team=args.team, kind=args.kind, prune=args.prune, progress=cb
        ),
    )
    return _report_out(ctx, args, report, "ingested")


def cmd_reindex(args: argparse.Namespace, ctx: CliContext) -> int:
    store = _open_store(ctx, check_backend=False)
    report = _with_progress(
        args.quiet or args.format == "json", "reindex", lambda cb: store.reindex(progress=cb)
    )
    return _report_out(ctx, args, report, f"reindexed with {store.embedder.name}:")


def cmd_forget(args: argparse.Namespace, ctx: CliContext) -> int:
    store = _open_store(ctx)
    removed = store.forget(args.path)
    if args.format == "json":
        ctx.out_json({"path": args.path, "chunks_removed": removed})
    elif removed:
        ctx.out(f"forgot {args.path}: {removed} chunks removed")
    else:
        ctx.out(f"{args.path} was not in memory; nothing removed")
    return 0


def _memory_exists(ctx: CliContext) -> bool:
    s = ctx.settings
    return bool(s.chroma.host) or (s.store_path / "chroma.sqlite3").exists()


def cmd_ask(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.errors import InputError, OkrCoachError

    if args.k < 1 or args.k > 50:
        raise InputError("-k should be between 1 and 50")
    filters = {"cycle": args.cycle, "team": args.team, "kind": args.kind}
    passages: list[Passage] = []
    empty = not _memory_exists(ctx)
    if not empty:
        store = _open_store(ctx)
        empty = store.count() == 0
        if not empty:
            passages = store.search(args.question, k=args.k, filters=filters)
    answer: str | None = None
    note: str | None = None
    from coach.llm import LlmError, LlmSession

    session = LlmSession.for_settings(ctx.settings.llm)
    if passages and ctx.settings.llm.enabled:
        try:
            from coach.critique import answer_question

            reasons: list[str] = []
            answer = answer_question(
                args.question,
                passages,
                ctx.settings,
                lang=ctx.lang(),
                on_error=reasons.append,
                session=session,
            )
            if answer is None and reasons:
                note = _say(ctx, "llm_failed", error=reasons[0])
        except OkrCoachError as e:
            error = e.localized(ctx.lang()) if isinstance(e, LlmError) else str(e)
            note = _say(ctx, "llm_failed", error=error)
    if session.records:  # what left the machine, and what it cost
        from coach.cli.llm_cmd import LABELS, sent_line

        ctx.err(sent_line(ctx.settings, LABELS[ctx.lang()], ["question"], len(passages)))
        ctx.err(session.summary(ctx.lang()))
    if args.format == "json":
        ctx.out_json(
            {
                "answer": answer,
                "passages": [_passage_json(p) for p in passages],
                **({"usage": session.to_dict()} if session.records else {}),
            }
        )
        if note:
            ctx.err(note)
        return 0
    if empty:
        ctx.out(_say(ctx, "empty"))
        return 0
    if not passages:
        ctx.out(_say(ctx, "none"))
        return 0
    if note:
        ctx.err(note)
    if answer:
        ctx.out(f"{_say(ctx, 'answer')}:\n{answer}\n")
    ctx.out(f"{_say(ctx, 'sources')}:")
    for p in passages:
        ctx.out(_passage_text(ctx, p))
    if answer is None and not note:
        ctx.out(_say(ctx, "no_llm"))
    return 0


def _passage_json(p: Passage) -> dict[str, Any]:
    return {
        "n": p.n,
        "id": p.id,
        "source": p.source,
        "heading_path": p.heading_path,
        "lines": list(p.lines) if p.lines else None,
        "cycle": p.cycle,
        "team": p.team,
        "kind": p.kind,
        "date": p.date,
        "language": p.language,
        "score": p.score,
        "text": p.text,
    }


def _passage_text(ctx: CliContext, p: Passage) -> str:
    where = p.source
    if p.lines:
        a, b = p.lines
        where += f":{a}" if a == b else f":{a}-{b}"
    tags = [t for t in (p.cycle, p.team, p.kind) if t]
    head = f"[{p.n}] {where}"
    if p.heading_path:
        head += "  › " + " › ".join(p.heading_path)
    head += f"  ({', '.join(tags)}; " if tags else "  ("
    head += f"{_say(ctx, 'score')} {p.score:.2f})"
    body = terminal_safe(p.text).strip()  # before splitlines: controls are not line breaks
    if len(body) > 600:
        body = body[:600].rsplit(" ", 1)[0] + " …"
    indented = "\n".join("    " + line for line in body.splitlines())
    return f"{head}\n{indented}\n"
