"""Score the rule checks on labelled KR sets: ``python -m coach.eval`` (``make eval``).

For each set (default: every ``dev*.jsonl`` in ``<repo>/../shared/eval``, or ``--data DIR``)
and each language, prints precision, recall, F1 and the number of true cases for the five
per-KR defects, plus the accuracy of telling good KRs from flawed ones (``verdict`` good vs
bad/needs_work). Only the KR's own text counts (no cycle dates), as the conventions define.
``--data-file PATH`` scores any labelled JSONL instead (``--split dev|test`` keeps the items whose
``split`` field matches, as in ``tests/fixtures/rules_holdout.jsonl``).
``--llm-model MODEL`` hands over to ``coach.eval_llm`` (rules vs rules+LLM).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# label -> (category, the label value that means "defect"), per CONVENTIONS.md
DEFECTS: dict[str, tuple[str, bool]] = {
    "outcome": ("activity", False),
    "measurable": ("not_measurable", False),
    "vague": ("vague", True),
    "has_baseline": ("no_baseline", False),
    "time_bound": ("no_deadline", False),
}
# Categories that make a KR "flawed" (bad or needs_work) rather than merely incomplete.
FLAW_CATEGORIES = {
    "activity",
    "not_measurable",
    "vague",
    "percent_without_base",
    "business_as_usual",
}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def true_cases(self) -> int:
        return self.tp + self.fn

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

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "true": self.true_cases,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def default_data_dir() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def load_set(path: Path) -> list[dict[str, Any]]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item["labels"]["measurable"]  # noqa: B018 - shape check
        except (ValueError, KeyError, TypeError):
            raise ValueError(
                f"{path}:{n}: not a labelled KR line (needs kr, lang, labels)"
            ) from None
        items.append(item)
    return items


def predict(item: dict[str, Any]) -> tuple[set[str], Any]:
    from coach.engine import check_kr_text

    check = check_kr_text(item["kr"], lang=item.get("lang"), objective_title=item.get("objective"))
    return {f.category for f in check.findings}, check


def evaluate(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Scores per language ("en", "sv", "all") and the misses, for one labelled set."""
    scores: dict[str, dict[str, Score]] = {}
    verdicts: dict[str, Score] = {}
    misses: list[dict[str, Any]] = []
    for item in items:
        cats, _ = predict(item)
        for lang in (item.get("lang", "en"), "all"):
            per = scores.setdefault(lang, {cat: Score() for cat, _ in DEFECTS.values()})
            for label, (cat, defect_value) in DEFECTS.items():
                per[cat].add(item["labels"][label] == defect_value, cat in cats)
            flawed_truth = item.get("verdict") in ("bad", "needs_work")
            verdicts.setdefault(lang, Score()).add(flawed_truth, bool(cats & FLAW_CATEGORIES))
        wrong = [
            cat
            for label, (cat, defect_value) in DEFECTS.items()
            if (item["labels"][label] == defect_value) != (cat in cats)
        ]
        if wrong:
            misses.append({"id": item.get("id"), "kr": item["kr"], "wrong": wrong})
    return {
        "languages": {
            lang: {
                "n": verdicts[lang].tp + verdicts[lang].fp + verdicts[lang].fn + verdicts[lang].tn,
                "defects": {cat: s.as_dict() for cat, s in per.items()},
                "good_vs_flawed_accuracy": round(
                    (verdicts[lang].tp + verdicts[lang].tn)
                    / max(
                        1,
                        sum(
                            (
                                verdicts[lang].tp,
                                verdicts[lang].fp,
                                verdicts[lang].fn,
                                verdicts[lang].tn,
                            )
                        ),
                    ),
                    3,
                ),
            }
            for lang, per in sorted(scores.items(), key=lambda kv: (kv[0] == "all", kv[0]))
        },
        "misses": misses,
    }


def format_text(reports: dict[str, dict[str, Any]], show_misses: bool) -> str:
    lines = []
    for name, report in reports.items():
        lines.append(f"== {name}")
        lines.append(f"{'lang':<5} {'defect':<15} {'P':>6} {'R':>6} {'F1':>6} {'true':>5}")
        for lang, block in report["languages"].items():
            for cat, s in block["defects"].items():
                lines.append(
                    f"{lang:<5} {cat:<15} {s['precision']:>6.3f} {s['recall']:>6.3f} "
                    f"{s['f1']:>6.3f} {s['true']:>5}"
                )
            lines.append(
                f"{lang:<5} good vs flawed accuracy {block['good_vs_flawed_accuracy']:.3f} "
                f"(n={block['n']})"
            )
        if show_misses:
            for m in report["misses"]:
                lines.append(f"  miss {m['id']}: {', '.join(m['wrong'])} | {m['kr']}")
        lines.append("")
    return "\n".join(lines).rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coach.eval", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--data", type=Path, help="folder with dev*.jsonl (default: ../shared/eval)"
    )
    parser.add_argument(
        "files", nargs="*", type=Path, help="labelled JSONL files (default: --data)"
    )
    parser.add_argument(
        "--data-file",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="score this labelled JSONL file (repeatable; replaces the default sets)",
    )
    parser.add_argument(
        "--split",
        choices=["dev", "tune", "test"],
        help="score only the items whose 'split' field has this value",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--misses", action="store_true", help="list every KR a defect was wrong on")
    parser.add_argument("--llm-model", help="compare with an LLM critique (runs coach.eval_llm)")
    args = parser.parse_args(argv)
    if args.llm_model:
        from coach.eval_llm import main as llm_main

        return llm_main(["--model", args.llm_model, *map(str, args.files)])
    files = [*args.files, *args.data_file]
    if not files:
        data = args.data or default_data_dir()
        files = sorted(data.glob("dev*.jsonl")) if data.is_dir() else []
        if not files:
            print(
                f"error: no labelled sets (dev*.jsonl) in {data}; pass --data DIR or JSONL files",
                file=sys.stderr,
            )
            return 2
    reports = {}
    for path in files:
        try:
            items = load_set(path)
            if args.split:
                items = [item for item in items if item.get("split") == args.split]
            name = f"{path.name} [{args.split}]" if args.split else path.name
            reports[name] = evaluate(items)
        except OSError as e:
            print(f"error: {path}: cannot read ({e.strerror})", file=sys.stderr)
            return 2
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    if args.format == "json":
        if not args.misses:
            for r in reports.values():
                r.pop("misses")
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        print(format_text(reports, args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
