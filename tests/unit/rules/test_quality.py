"""Quality guards: the rules keep their scores on labelled KR sets.

``tests/fixtures/rules_regression.jsonl`` holds 445 KRs (268 en, 177 sv) written for this
project in the style of real OKR files and labelled with the conventions of the shared eval
sets; they were used to find general gaps, so they guard against regressions rather than
measure generalisation. The shared development sets are checked too when present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.eval import default_data_dir, evaluate, load_set

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "rules_regression.jsonl"
DEFECTS = ("activity", "not_measurable", "vague", "no_baseline", "no_deadline")


def _f1(report: dict, lang: str, defect: str) -> float:
    return report["languages"][lang]["defects"][defect]["f1"]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_regression_set_scores(lang: str) -> None:
    report = evaluate(load_set(FIXTURE))
    for defect in DEFECTS:
        assert _f1(report, lang, defect) >= 0.95, (lang, defect, report["languages"][lang])


@pytest.mark.parametrize("name", ["dev_krs.jsonl", "dev_real_krs.jsonl"])
def test_shared_dev_sets(name: str) -> None:
    path = default_data_dir() / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    report = evaluate(load_set(path))
    floor = 0.95 if name == "dev_krs.jsonl" else 0.9
    for lang in ("en", "sv"):
        for defect in DEFECTS:
            assert _f1(report, lang, defect) >= floor, (name, lang, defect)
