"""Scan rule rewrites for a visibly broken metric slot: ``python bench/scan_rewrites.py FILE…``.

For every KR in the labelled JSONL files, the rules' suggestions are generated; when a
suggestion puts a metric phrase from the KR into its text, the phrase is judged mechanically:
broken when it is a pronoun, article, modal or auxiliary, a negation or question word, a bare
verb that opened the KR, one generic word ("number", "andel"), when it ends on a function word
("than", "of", "till"), or has unbalanced brackets or quotes or a sentence break. Prints the
share of rewrites with a broken metric and the cases, per language.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

_LEAD = {
    "en": "i we we've we'll we're you they it its there here this that these those he she "
    "be is are was were will shall should must can could would may might have has had do does "
    "did no not none how what when why which who sure yes all each every any".split(),
    "sv": "jag vi du ni de den det detta denna dessa man han hon hen vara är var blir bli "
    "ska skall bör måste kan kunde kommer har hade ha gör göra inte ingen inga inget hur vad "
    "när varför vilken vilka som alla varje samtliga".split(),
}
_GENERIC = set(
    "number numbers count amount total level rate percentage percent share value values "
    "trial result results thing things metric metrics kpi kpis goal goals target "
    "antal antalet andel andelen nivå nivån mängd mängden procent värde värdet resultat "
    "resultatet mål målet".split()
)
_TAIL = set(
    "than of to by as if the a an and or with for from in on at per more less "
    "än av till som om och eller med för från i på vid per mer mindre den det en ett".split()
)
_VERBS = {
    "en": "add be build create define deliver develop do draft ensure finish get have host hold "
    "implement improve increase launch learn make perform publish record release reduce "
    "run secure ship source start support write come set go".split(),
    "sv": "bygga genomföra göra ha hålla införa lansera ta skapa säkerställa utveckla öka minska "
    "förbättra se ge få starta ordna anordna erbjuda".split(),
}


def broken_reason(metric: str, kr: str, lang: str) -> str | None:
    words = re.findall(r"[\wåäöÅÄÖé'’-]+", metric.lower())
    if not words:
        return "empty"
    if words[0] in _LEAD.get(lang, _LEAD["en"]):
        return f"starts with {words[0]!r}"
    if len(words) == 1 and words[0] in _GENERIC:
        return f"one generic word {words[0]!r}"
    if words[-1] in _TAIL:
        return f"ends with {words[-1]!r}"
    if metric.count("(") != metric.count(")") or metric.count('"') % 2:
        return "unbalanced brackets or quotes"
    if re.search(r"[.?!]\s", metric):
        return "sentence break"
    kr_words = re.findall(r"[\wåäöÅÄÖé'’-]+", kr.lower())
    if len(words) <= 2 and kr_words[: len(words)] == words and words[0] in _VERBS[lang]:
        return f"bare verb {words[0]!r}"
    return None


def scan(items: list[dict]) -> dict[str, dict]:
    from coach.engine import check_kr_text

    out: dict[str, dict] = defaultdict(lambda: {"rewrites": 0, "broken": []})
    for item in items:
        lang = item.get("lang", "en")
        check = check_kr_text(item["kr"], lang=lang)
        metric = (check.parsed or {}).get("metric")
        texts = [f.suggestion for f in check.findings if f.suggestion]
        if not metric or not any(metric.lower() in t.lower() for t in texts):
            continue
        for key in (lang, "all"):
            out[key]["rewrites"] += 1
        why = broken_reason(metric, item["kr"], lang)
        if why:
            for key in (lang, "all"):
                out[key]["broken"].append((item.get("id"), metric, why, item["kr"]))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--split", choices=["tune", "test"])
    p.add_argument("--show", action="store_true", help="list every broken case")
    args = p.parse_args(argv)
    items = []
    for f in args.files:
        items += [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    if args.split:
        items = [i for i in items if i.get("split") == args.split]
    result = scan(items)
    for lang in sorted(result, key=lambda k: (k == "all", k)):
        r = result[lang]
        n, b = r["rewrites"], len(r["broken"])
        print(
            f"{lang:<4} rewrites with a metric phrase: {n:>4}  broken: {b:>3}  ({b / max(n, 1):.1%})"
        )
        if args.show and lang != "all":
            for id_, metric, why, kr in r["broken"]:
                print(f"   {id_}: {metric!r} ({why}) | {kr[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
