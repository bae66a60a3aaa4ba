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

# Label -> (rule category, label value that means "defect"), as the conventions define them.
LABELS: dict[str, tuple[str, bool]] = {
    "measurable": ("not_measurable", False),
    "outcome": ("activity", False),
    "vague": ("vague", True),
    "has_baseline": ("no_baseline", False),
    "time_bound": ("no_deadline", False),
}
GROUP_SIZE = 5


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    positives: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        self.positives += truth
        self.tp += truth and predicted
        self.fp += predicted and not truth
        self.fn += truth and not predicted

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Comparison:
    rules: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in LABELS})
    llm: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in LABELS})
    verdict_rules: Counts = field(default_factory=Counts)  # "needs work or bad" as positive
    verdict_llm: Counts = field(default_factory=Counts)
    items: int = 0
    groups: int = 0
    fallbacks: int = 0
    usage: dict[str, Any] = field(default_factory=dict)


def load_items(paths: Iterable[Path]) -> list[dict[str, Any]]:
    items = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except ValueError as e:
                    raise SystemExit(f"{path}:{n}: not valid JSON ({e})") from None
    return items


def _groups(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    by_objective: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in items:
        by_objective.setdefault((item["lang"], item.get("objective") or ""), []).append(item)
    out = []
    for group in by_objective.values():
        out += [group[i : i + GROUP_SIZE] for i in range(0, len(group), GROUP_SIZE)]
    return out


def _categories(codes: Iterable[str | None]) -> set[str]:
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
    from coach.engine import check_cycle
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
        check = check_cycle(cycle, settings.rules, lang=lang)
        review = critique_objective(
            cycle, 0, settings, lang=lang, check=check, session=session, use_cache=use_cache
        )
        result.groups += 1
        result.fallbacks += review.source != "llm"
        for item, kr_check, kr_review in zip(
            group, check.objectives[0].key_results, review.key_results, strict=True
        ):
            rule_cats = _categories(f.code for f in kr_check.findings)
            llm_cats = _categories(p.code for p in kr_review.problems)
            if review.source != "llm":
                llm_cats = rule_cats
            for label, (category, defect_value) in LABELS.items():
                if label not in item.get("labels", {}):
                    continue
                truth = item["labels"][label] == defect_value
                result.rules[label].add(truth, category in rule_cats)
                result.llm[label].add(truth, category in llm_cats)
            if "verdict" in item:
                weak = item["verdict"] != "good"
                result.verdict_rules.add(weak, bool(rule_cats))
                llm_weak = (
                    kr_review.verdict != "good" if review.source == "llm" else bool(rule_cats)
                )
                result.verdict_llm.add(weak, llm_weak)
            result.items += 1
        if progress is not None:
            progress(g, len(groups))
    result.usage = session.to_dict()
    return result


def format_table(c: Comparison) -> str:
    lines = [
        f"{'label (defect category)':<30} {'n true':>6}   {'rules P/R/F1':>17}   {'rules+LLM P/R/F1':>17}",
    ]

    def row(name: str, a: Counts, b: Counts) -> str:
        fa = f"{a.precision:.2f}/{a.recall:.2f}/{a.f1:.2f}"
        fb = f"{b.precision:.2f}/{b.recall:.2f}/{b.f1:.2f}"
        return f"{name:<30} {a.positives:>6}   {fa:>17}   {fb:>17}"

    for label, (category, _) in LABELS.items():
        lines.append(row(f"{label} ({category})", c.rules[label], c.llm[label]))
    lines.append(row("verdict: not good", c.verdict_rules, c.verdict_llm))
    lines.append(
        f"{c.items} KRs in {c.groups} requests; {c.fallbacks} groups fell back to the rules; "
        f"usage {json.dumps(c.usage)}"
    )
    lines.append("small counts of true cases make noisy scores")
    return "\n".join(lines)


def default_sets() -> list[Path]:
    """The development sets: the repository's copy if present, else the shared folder."""
    root = Path(__file__).resolve().parent.parent
    for folder in (
        root / "eval",
        root / "tests" / "fixtures" / "eval",
        root.parent / "shared" / "eval",
    ):
        found = sorted(folder.glob("dev*.jsonl")) if folder.is_dir() else []
        if found:
            return found
    return []


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
        items = load_items(files)
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
