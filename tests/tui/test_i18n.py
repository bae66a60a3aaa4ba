"""Every UI string comes from the catalogs, and both languages have every key."""

from __future__ import annotations

import re
from pathlib import Path

from tui.i18n import Translator, catalog
from tui.screens.base import action_key

TUI = Path(__file__).resolve().parents[2] / "tui"
# t("a.b") / self.t("a.b", ...) / coach.t("a.b") — literal keys used in code
LITERAL = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9]+)["']""")
# f-string keys: t(f"step.{step}") -> every value the code passes must exist
FSTRING = re.compile(r"""\bt\(\s*f["']([a-z_]+)\.\{""")


def _code() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in TUI.rglob("*.py"))


def test_catalogs_have_the_same_keys() -> None:
    en, sv = catalog("en"), catalog("sv")
    assert set(en) == set(sv), {"only en": set(en) - set(sv), "only sv": set(sv) - set(en)}
    assert all(v.strip() for v in sv.values())


def test_every_literal_key_used_in_code_exists() -> None:
    used = set(LITERAL.findall(_code()))
    assert len(used) > 80
    missing = sorted(k for k in used if k not in catalog("en"))
    assert not missing


def test_dynamic_key_families_exist() -> None:
    en = catalog("en")
    prefixes = set(FSTRING.findall(_code()))
    assert {"step", "kr"} <= prefixes
    for step in ("strategy", "objectives", "krs", "review", "save"):
        assert f"step.{step}" in en
    for verdict in ("good", "improve", "rewrite", "move_to_initiatives"):
        assert f"critique.verdict_{verdict}" in en


def test_every_binding_with_a_footer_label_is_translated() -> None:
    from textual.binding import Binding

    from tui.app import OkrCoachApp
    from tui.screens.help import HelpScreen
    from tui.screens.key_results import KeyResultsScreen
    from tui.screens.objectives import ObjectivesScreen
    from tui.screens.review import ReviewScreen
    from tui.screens.save import SaveScreen
    from tui.screens.start import StartScreen
    from tui.screens.strategy import StrategyScreen

    classes = (OkrCoachApp, HelpScreen, KeyResultsScreen, ObjectivesScreen, ReviewScreen)
    classes += (SaveScreen, StartScreen, StrategyScreen)
    for cls in classes:
        for klass in cls.__mro__:
            for b in klass.__dict__.get("BINDINGS", []):
                if isinstance(b, Binding) and b.show:
                    assert f"keys.{action_key(b.action)}" in catalog("sv"), (cls, b.action)


def test_placeholders_agree_between_languages() -> None:
    en, sv = catalog("en"), catalog("sv")
    for key, text in en.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", sv[key])), key


def test_translator_formats_and_falls_back() -> None:
    t = Translator("sv")
    assert t("kr.objective", n=1, total=3) == "Mål 1/3:"
    assert t("no.such_key") == "no.such_key"
    assert Translator("de").lang == "en"


def test_a_count_of_one_is_singular_in_both_languages() -> None:
    for lang, one, many in (("en", "1 error", "2 errors"), ("sv", "1 varning", "2 varningar")):
        t = Translator(lang)
        key = "review.n_errors" if lang == "en" else "review.n_warnings"
        assert t(key, n=1) == one and t(key, n=2) == many
    assert Translator("en")("checkin.summary", cycle="2026-Q1", n=1).startswith(
        "Progress in 2026-Q1: 1 check-in so far"
    )
    assert Translator("en")("objectives.count", n=1).startswith("1 objective ")
