"""``okr-coach check`` (lint OKR files) and ``okr-coach rules`` (list rules, show a rule's docs)."""

from __future__ import annotations

import argparse
from typing import Any

from coach.cli.context import CliContext
from coach.text_safety import terminal_safe

FORMATS = ("text", "json", "sarif", "github")
FAIL_ON = ("error", "warning", "info", "never")
_RANK = {"info": 0, "warning": 1, "error": 2}


def register(sub: argparse._SubParsersAction) -> None:
    common = [sub.common]  # type: ignore[attr-defined]
    p = sub.add_parser(
        "check",
        parents=common,
        help="check OKR files against the rules (a linter: text, json, sarif, github)",
        description="Check OKR files (YAML, JSON, Markdown, CSV; - reads stdin). Exit 0 when "
        "clean, 1 when findings reach --fail-on, 2 when a file cannot be read.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="OKR files, or - for stdin")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="warning",
        help="lowest severity that makes the exit code 1 (default: warning)",
    )
    p.add_argument("--input-format", choices=["yaml", "json", "md", "csv"], help="for stdin")
    p.add_argument(
        "--select", metavar="CODES", help="only these rules (comma-separated codes or prefixes)"
    )
    p.add_argument("--ignore", metavar="CODES", help="skip these rules (comma-separated)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "rules",
        parents=common,
        help="list the rules, or show one rule's documentation (okr-coach rules OKR003)",
    )
    p.add_argument("code", nargs="?", help="a rule code such as OKR003")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_rules)


# ----------------------------------------------------------------------------------- check


def _rules_settings(args: argparse.Namespace, ctx: CliContext) -> Any:
    rules = ctx.settings.rules.model_copy()
    if args.select:
        rules.select = [c.strip().upper() for c in args.select.split(",") if c.strip()]
    if args.ignore:
        rules.ignore = [
            *rules.ignore,
            *(c.strip().upper() for c in args.ignore.split(",") if c.strip()),
        ]
    return rules


def cmd_check(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.engine import check_cycle
    from coach.errors import OkrCoachError
    from coach.files import read_okr_file

    if args.paths.count("-") > 1:
        ctx.err("error: stdin (-) can be read only once")
        return 2
    rules = _rules_settings(args, ctx)
    ui = getattr(args, "lang", None)
    ui = (
        ui
        if ui in ("sv", "en")
        else (ctx.settings.language if ctx.settings.language in ("sv", "en") else None)
    )
    results: list[dict[str, Any]] = []
    unreadable = False
    for path in args.paths:
        try:
            loaded = read_okr_file(path, args.input_format)
        except OkrCoachError as e:
            unreadable = True
            name = "<stdin>" if path == "-" else path
            results.append(
                {"path": name, "error": getattr(e, "detail", str(e)), "_message": str(e)}
            )
            continue
        for note in loaded.notes:
            ctx.err(f"note: {loaded.path}: {note}")
        result = check_cycle(loaded.cycle, rules, loaded=loaded, lang=ui, app_settings=ctx.settings)
        results.append({"path": loaded.path, "result": result})

    found = [f for r in results if "result" in r for f in r["result"].all_findings()]
    if args.format == "json":
        ctx.out_json(to_json(results))
    elif args.format == "sarif":
        ctx.out_json(to_sarif(results, ui or "en"))
    elif args.format == "github":
        for line in to_github(results):
            ctx.out(line)
    else:
        kr_langs = [
            k.language
            for r in results
            if "result" in r
            for o in r["result"].objectives
            for k in o.key_results
        ]
        file_lang = max(set(kr_langs), key=kr_langs.count) if kr_langs else None
        _print_text(results, ctx, found, ui or ctx.lang(file_lang))
    if unreadable:
        return 2
    if args.fail_on != "never" and any(
        _RANK[f.severity.value] >= _RANK[args.fail_on] for f in found
    ):
        return 1
    return 0


def _finding_json(f: Any) -> dict[str, Any]:
    d = f.model_dump(mode="json")
    d["location"] = {k: v for k, v in d["location"].items() if v is not None and k != "path"}
    return d


def to_json(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The stable JSON shape (documented in docs/rules.md)."""
    files = []
    n_krs = n_found = 0
    by_cat: dict[str, int] = {}
    for r in results:
        if "error" in r:
            files.append({"path": r["path"], "error": r["error"]})
            continue
        res = r["result"]
        files.append(
            {
                "path": r["path"],
                "objectives": [
                    {
                        "index": o.index,
                        "id": o.id,
                        "title": o.title,
                        "key_results": [
                            {
                                "index": k.index,
                                "id": k.id,
                                "text": k.text,
                                "language": k.language,
                                "parsed": k.parsed,
                                "findings": [_finding_json(f) for f in k.findings],
                            }
                            for k in o.key_results
                        ],
                        "findings": [_finding_json(f) for f in o.findings],
                    }
                    for o in res.objectives
                ],
                "findings": [_finding_json(f) for f in res.findings],
            }
        )
        s = res.summary()
        n_krs += s["key_results"]
        n_found += s["findings"]
        for cat, n in s["by_category"].items():
            by_cat[cat] = by_cat.get(cat, 0) + n
    return {
        "files": files,
        "summary": {
            "files": len(results),
            "key_results": n_krs,
            "findings": n_found,
            "by_category": dict(sorted(by_cat.items())),
        },
    }


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def to_sarif(results: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """SARIF 2.1.0 for code-scanning UIs."""
    from coach import __version__
    from coach.rules.registry import RULES

    rules_meta = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.text(lang).fix_title},
            "fullDescription": {"text": r.text(lang).what},
            "help": {
                "text": f"{r.text(lang).why}\n\n{r.text(lang).example}\n→ {r.text(lang).instead}"
            },
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity.value]},
            "properties": {"category": r.category},
        }
        for r in RULES.values()
    ]
    out_results = []
    for r in results:
        if "error" in r:
            continue
        for f in r["result"].all_findings():
            text = f.message + (f"\n{f.suggestion}" if f.suggestion else "")
            loc: dict[str, Any] = {"artifactLocation": {"uri": r["path"]}}
            if f.location.line:
                loc["region"] = {"startLine": f.location.line}
            out_results.append(
                {
                    "ruleId": f.code,
                    "level": _SARIF_LEVEL[f.severity.value],
                    "message": {"text": text},
                    "locations": [{"physicalLocation": loc}],
                    "properties": {"category": f.category},
                }
            )
    invocation = {
        "executionSuccessful": not any("error" in r for r in results),
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": r["_message"]}} for r in results if "error" in r
        ],
    }
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "okr-coach", "version": __version__, "rules": rules_meta}
                },
                "results": out_results,
                "invocations": [invocation],
            }
        ],
    }


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def to_github(results: list[dict[str, Any]]) -> list[str]:
    """GitHub Actions workflow commands: one annotation per finding."""
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for r in results:
        if "error" in r:
            lines.append(f"::error file={_gh_escape(r['path'], True)}::{_gh_escape(r['_message'])}")
            continue
        for f in r["result"].all_findings():
            props = f"file={_gh_escape(r['path'], True)}"
            if f.location.line:
                props += f",line={f.location.line}"
            props += f",title={_gh_escape(f'{f.code} [{f.category}]', True)}"
            body = f.message + (f"\n{f.suggestion}" if f.suggestion else "")
            lines.append(f"::{level[f.severity.value]} {props}::{_gh_escape(body)}")
    return lines


_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}


_SUMMARY = {
    "en": {
        "checked": "{n} file(s) checked: {summary}",
        "none": "no findings",
        "unreadable": "{n} file(s) could not be read",
        "error": "error",
        "warning": "warning",
        "info": "info",
    },
    "sv": {
        "checked": "{n} fil(er) granskade: {summary}",
        "none": "inga fynd",
        "unreadable": "{n} fil(er) gick inte att läsa",
        "error": "fel",
        "warning": "varning",
        "info": "info",
    },
}


def _print_text(
    results: list[dict[str, Any]], ctx: CliContext, found: list[Any], lang: str
) -> None:
    tty = hasattr(ctx.stdout, "isatty") and ctx.stdout.isatty()

    def paint(text: str, colour: str) -> str:
        return f"{colour}{text}\033[0m" if tty else text

    for r in results:
        if "error" in r:
            ctx.err(f"error: {r['_message']}")
            continue
        for f in sorted(r["result"].all_findings(), key=lambda x: (x.location.line or 0, x.code)):
            where = f"{r['path']}:{f.location.line}:" if f.location.line else f"{r['path']}:"
            code = paint(f.code, _COLOURS[f.severity.value])
            rest = terminal_safe(f"[{f.category}] {f.message}")
            ctx.out_styled(f"{terminal_safe(where)} {code} {rest}")
            if f.suggestion:
                ctx.out_styled(f"    {paint(terminal_safe(f.suggestion), chr(27) + '[2m')}")
    t = _SUMMARY.get(lang, _SUMMARY["en"])
    n_files = sum(1 for r in results if "result" in r)
    n_bad = len(results) - n_files
    counts = {
        s: sum(1 for f in found if f.severity.value == s) for s in ("error", "warning", "info")
    }
    summary = ", ".join(f"{n} {t[s]}" for s, n in counts.items() if n) or t["none"]
    if n_files:
        ctx.out(t["checked"].format(n=n_files, summary=summary))
    # Never "0 files checked: no findings" for input we could not read; one unreadable file
    # alone already has its one error line.
    if n_bad and len(results) > 1:
        ctx.err(t["unreadable"].format(n=n_bad))


# ----------------------------------------------------------------------------------- rules


def cmd_rules(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.errors import InputError
    from coach.rules.registry import RULES, get_rule

    lang = ctx.lang()
    if args.code:
        try:
            rule = get_rule(args.code)
        except KeyError as e:
            raise InputError(str(e.args[0])) from None
        if args.format == "json":
            ctx.out_json(_rule_json(rule, lang))
            return 0
        ctx.out(_rule_doc(rule, lang))
        return 0
    if args.format == "json":
        ctx.out_json([_rule_json(r, lang) for r in RULES.values()])
        return 0
    for r in RULES.values():
        flag = " (preview)" if r.preview else ""
        ctx.out(f"{r.code}  {r.category:<21} {r.severity.value:<8} {r.text(lang).fix_title}{flag}")
    return 0


def _rule_json(rule: Any, lang: str) -> dict[str, Any]:
    docs = rule.text(lang)
    return {
        "code": rule.code,
        "name": rule.name,
        "category": rule.category,
        "severity": rule.severity.value,
        "scope": rule.scope,
        "preview": rule.preview,
        "fix_title": docs.fix_title,
        "what": docs.what,
        "why": docs.why,
        "example": docs.example,
        "instead": docs.instead,
    }


_HEADINGS = {
    "en": (
        "What it does",
        "Why is this bad?",
        "Example",
        "Use instead",
        "Severity",
        "preview: run it with --select",
    ),
    "sv": (
        "Vad den gör",
        "Varför är det dåligt?",
        "Exempel",
        "Skriv i stället",
        "Allvarlighet",
        "förhandsversion: kör den med --select",
    ),
}


_SEVERITY_SV = {"error": "fel", "warning": "varning", "info": "info"}


def _rule_doc(rule: Any, lang: str) -> str:
    h = _HEADINGS.get(lang, _HEADINGS["en"])
    severity = rule.severity.value
    severity = _SEVERITY_SV.get(severity, severity) if lang == "sv" else severity
    d = rule.text(lang)
    lines = [
        f"{rule.code} {rule.name} ({rule.category})",
        f"{h[4]}: {severity}" + (f"; {h[5]}" if rule.preview else ""),
        "",
        f"## {h[0]}",
        d.what,
        "",
        f"## {h[1]}",
        d.why,
        "",
        f"## {h[2]}",
        f"    {d.example}",
        "",
        f"## {h[3]}",
        f"    {d.instead}",
    ]
    return "\n".join(lines)
