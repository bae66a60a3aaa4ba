"""Rules-only vs rules+LLM on a labelled KR set: the same metrics, side by side.

``python -m coach.eval_llm --model openai/gpt-4o-mini [FILE.jsonl ...]`` (and
``make eval-llm MODEL=…`` through ``coach.eval --llm-model``). KRs are grouped by objective
(at most five per request, as in a real critique) so the LLM sees each KR in context, and
only the KR's own text counts (no cycle dates). Rules+LLM means the LLM's verdict, informed by
the rule findings it is shown: a category counts as flagged when the LLM ties a problem to a
rule of that category; where the LLM failed for a group, the rules' findings stand (counted
and reported).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.config import Settings

GROUP_SIZE = 5


@dataclass
class Comparison:
    """Scores per language ("en", "sv", "all"): defect category -> Score, rules and LLM."""

    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    llm: dict[str, dict[str, Any]] = field(default_factory=dict)
    verdict_rules: dict[str, Any] = field(default_factory=dict)  # flawed (bad/needs_work) = true
    verdict_llm: dict[str, Any] = field(default_factory=dict)
    items: int = 0
    groups: int = 0
    fallbacks: int = 0
    usage: dict[str, Any] = field(default_factory=dict)

    def _add(
        self,
        lang: str,
        item: dict[str, Any],
        rule_cats: set[str],
        llm_cats: set[str],
        llm_flawed: bool,
    ) -> None:
        from coach.eval import DEFECTS, FLAW_CATEGORIES, Score

        for key in (lang, "all"):
            for side, cats in ((self.rules, rule_cats), (self.llm, llm_cats)):
                per = side.setdefault(key, {cat: Score() for cat, _ in DEFECTS.values()})
                for label, (cat, defect_value) in DEFECTS.items():
                    per[cat].add(item["labels"][label] == defect_value, cat in cats)
            truth = item.get("verdict") in ("bad", "needs_work")
            self.verdict_rules.setdefault(key, Score()).add(
                truth, bool(rule_cats & FLAW_CATEGORIES)
            )
            self.verdict_llm.setdefault(key, Score()).add(truth, llm_flawed)


def load_items(paths: Iterable[Path]) -> list[dict[str, Any]]:
    from coach.eval import load_set

    return [item for path in paths for item in load_set(Path(path))]


def _groups(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    by_objective: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in items:
        by_objective.setdefault((item["lang"], item.get("objective") or ""), []).append(item)
    out = []
    for group in by_objective.values():
        out += [group[i : i + GROUP_SIZE] for i in range(0, len(group), GROUP_SIZE)]
    return out


def _categories(codes: Iterable[str | None]) -> set[str]:
    """Rule codes the LLM tied problems to -> their categories (unknown codes never pass
    validation, so nothing is dropped silently here)."""
    from coach.rules.registry import RULES

    return {str(RULES[c].category) for c in codes if c in RULES}


def compare(
    items: list[dict[str, Any]],
    settings: Settings,
    *,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Run the rules and the LLM critique over the items and count both against the labels."""
    from coach.critique import critique_objective
    from coach.eval import FLAW_CATEGORIES, predict
    from coach.llm import LlmSession
    from coach.models import Cycle, Objective

    result = Comparison()
    session = LlmSession.for_settings(settings.llm)
    groups = _groups(items)
    for g, group in enumerate(groups, start=1):
        lang = group[0]["lang"]
        title = group[0].get("objective") or ("(no objective)" if lang == "en" else "(inget mål)")
        objective = Objective(title=title, key_results=[{"text": it["kr"]} for it in group])
        cycle = Cycle(language=lang, objectives=[objective])
        review = critique_objective(
            cycle, 0, settings, lang=lang, session=session, use_cache=use_cache
        )
        result.groups += 1
        result.fallbacks += review.source != "llm"
        for item, kr_review in zip(group, review.key_results, strict=True):
            rule_cats, _ = predict(item)  # exactly what `make eval` scores
            if review.source == "llm":
                llm_cats = _categories(p.code for p in kr_review.problems)
                llm_flawed = kr_review.verdict != "good"
            else:  # the LLM failed for this group: the rules' answer stands
                llm_cats, llm_flawed = rule_cats, bool(rule_cats & FLAW_CATEGORIES)
            result._add(lang, item, rule_cats, llm_cats, llm_flawed)
            result.items += 1
        if progress is not None:
            progress(g, len(groups))
    result.usage = session.to_dict()
    return result


def format_table(c: Comparison) -> str:
    def prf(score: Any) -> str:
        return f"{score.precision:.2f}/{score.recall:.2f}/{score.f1:.2f}"

    def accuracy(score: Any) -> float:
        n = score.tp + score.fp + score.fn + score.tn
        return (score.tp + score.tn) / n if n else 0.0

    lines = [
        f"{'lang':<5} {'defect':<15} {'true':>5}   {'rules P/R/F1':>15}   {'rules+LLM P/R/F1':>17}"
    ]
    for lang in sorted(c.rules, key=lambda k: (k == "all", k)):
        for cat, rule_score in c.rules[lang].items():
            llm_score = c.llm[lang][cat]
            lines.append(
                f"{lang:<5} {cat:<15} {rule_score.true_cases:>5}   {prf(rule_score):>15}   "
                f"{prf(llm_score):>17}"
            )
        vr, vl = c.verdict_rules[lang], c.verdict_llm[lang]
        lines.append(
            f"{lang:<5} good vs flawed accuracy: rules {accuracy(vr):.3f}, rules+LLM "
            f"{accuracy(vl):.3f} (n={vr.tp + vr.fp + vr.fn + vr.tn})"
        )
    lines.append(
        f"{c.items} KRs in {c.groups} requests; {c.groups - c.fallbacks} answered by the LLM, "
        f"{c.fallbacks} fell back to the rules; usage {json.dumps(c.usage)}"
    )
    lines.append("small counts of true cases make noisy scores")
    return "\n".join(lines)


def default_sets() -> list[Path]:
    from coach.eval import default_data_dir

    data = default_data_dir()
    return sorted(data.glob("dev*.jsonl")) if data.is_dir() else []


def main(argv: list[str] | None = None) -> int:
    from coach.config import load_settings
    from coach.errors import OkrCoachError

    parser = argparse.ArgumentParser(
        prog="python -m coach.eval_llm", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "files", nargs="*", type=Path, help="labelled JSONL files (default: dev sets)"
    )
    parser.add_argument("--model", required=True, help="litellm model string")
    parser.add_argument("--api-base", help="OpenAI-compatible endpoint")
    parser.add_argument("--workspace", help="workspace for the request cache")
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args(argv)
    files = args.files or default_sets()
    if not files:
        print("error: no labelled sets found; pass JSONL files", file=sys.stderr)
        return 2
    flags = {"llm.model": args.model, "llm.api_base": args.api_base}
    try:
        settings = load_settings(args.workspace, flags)
        try:
            items = load_items(files)
        except (OSError, ValueError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        comparison = compare(
            items,
            settings,
            use_cache=not args.no_cache,
            progress=lambda i, n: print(f"\r{i}/{n} requests", end="", file=sys.stderr),
        )
    except OkrCoachError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    print(file=sys.stderr)
    print(f"sets: {', '.join(str(f) for f in files)}; model {args.model}")
    print(format_table(comparison))
    return 0


if __name__ == "__main__":
    sys.exit(main())
