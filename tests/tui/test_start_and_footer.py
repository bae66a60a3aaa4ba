"""Second-round polish: the proposed new-cycle id, the cheap cycle list, the footer at 80
columns, and lessons from an ingested demo workspace on the Strategy screen."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static
from textual.widgets._footer import FooterKey

from coach.config import load_settings
from tui.listing import list_cycles, peek_status, propose_cycle_id
from tui.screens.start import StartScreen
from tui.screens.strategy import StrategyScreen
from tui.widgets.lessons import LessonsPanel

from .conftest import SIZE

# ---------------------------------------------------------------- the proposed cycle id


@pytest.mark.parametrize(
    ("existing", "today", "expected"),
    [
        (["2026-Q2", "2026-Q3", "2026-Q4"], date(2026, 11, 22), "2027-Q1"),
        (["2026-Q4", "2026-Q2"], date(2026, 5, 1), "2027-Q1"),  # after the newest, not today
        (["2025-Q1"], date(2026, 11, 22), "2025-Q2"),  # the cycle after, even if in the past
        ([], date(2026, 11, 22), "2026-Q4"),  # empty workspace: the current quarter
        ([], date(2026, 1, 1), "2026-Q1"),
        (["2026-H2", "team-offsite"], date(2026, 8, 2), "2026-Q3"),  # no quarter ids
        (["2026-H2", "2026-Q3"], date(2026, 8, 2), "2026-Q4"),
    ],
)
def test_propose_cycle_id(existing: list[str], today: date, expected: str) -> None:
    assert propose_cycle_id(existing, today) == expected


def test_proposal_is_never_an_existing_id() -> None:
    assert propose_cycle_id(["2026-Q4"], date(2026, 11, 22)) == "2027-Q1"


async def test_start_screen_proposes_the_cycle_after_the_newest(demo_workspace: Path) -> None:
    """The demo holds 2026-Q2..Q4: the proposal is 2027-Q1, whatever today's date is."""
    from tui.app import OkrCoachApp

    app = OkrCoachApp(load_settings(demo_workspace, env={}), lang="en", blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert app.screen.query_one("#new-cycle", Input).value == "2027-Q1"
        # Creating it, then coming back: the next proposal moves on, the list has the new id.
        await pilot.press("n", "enter")
        await pilot.pause()
        assert app.session is not None and app.session.cycle.cycle == "2027-Q1"
        app.back_to_start()
        await pilot.pause()
        options = app.screen.query_one("#cycles", OptionList)
        assert options.get_option_at_index(0).id == "2027-Q1"
        assert app.screen.query_one("#new-cycle", Input).value == "2027-Q2"


async def test_start_screen_keeps_what_the_user_typed(make_app, workspace: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        new = app.screen.query_one("#new-cycle", Input)
        assert new.value == propose_cycle_id([], date.today())
        new.value = "2030-H1"
        app.screen.reload()
        await pilot.pause()
        assert new.value == "2030-H1"


# ---------------------------------------------------------------- the cheap cycle list


def test_cycle_list_reads_status_without_parsing(demo_workspace: Path) -> None:
    cycles = demo_workspace / "cycles"
    # A broken file is still listed (it is read properly, with a clear message, when opened).
    (cycles / "2026-Q1.yaml").write_text("status: active\nobjectives: [unclosed\n", "utf-8")
    entries = {e.cycle_id: e for e in list_cycles(demo_workspace)}
    assert list(entries) == ["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1"]
    assert entries["2026-Q4"].status == "draft"
    assert entries["2026-Q1"].status == "active"
    assert all(e.saved and not e.unsaved_changes for e in entries.values())


def test_peek_status_ignores_nested_and_missing_keys(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("cycle: 2026-Q1\nobjectives:\n  - title: x\n    status: closed\n", "utf-8")
    assert peek_status(f) is None
    f.write_text("cycle: 2026-Q1\nstatus: 'closed'  # done\n", "utf-8")
    assert peek_status(f) == "closed"
    assert peek_status(tmp_path / "missing.yaml") is None


async def test_start_screen_shows_status_and_survives_a_broken_file(
    make_app, workspace: Path, cycle_file: Path
) -> None:
    (workspace / "cycles" / "2026-Q2.yaml").write_text("objectives: [\n", "utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#cycles", OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == ["2026-Q3  draft", "2026-Q2"]
        options.highlighted = 1
        await pilot.press("enter")  # opening the broken one: a notification, no traceback
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert any("2026-Q2.yaml" in str(n.message) for n in app._notifications)


# ---------------------------------------------------------------- the footer at 80 columns

ESSENTIAL_STEP_ACTIONS = {"step(-1)", "step(1)", "save", "help", "quit"}


def _footer_keys(app) -> list[FooterKey]:
    return list(app.screen.query(FooterKey))


def _assert_footer_fits(app, where: str, essential: set[str]) -> None:
    keys = _footer_keys(app)
    cut = [
        f"{k.key_display} {k.description}"
        for k in keys
        if k.region.width == 0 or k.region.right > SIZE[0]
    ]
    assert not cut, f"{where}: footer keys cut off at {SIZE[0]} columns: {cut}"
    missing = essential - {k.action for k in keys}
    assert not missing, f"{where}: essential keys missing from the footer: {missing}"


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_footer_shows_the_essential_keys_at_80_columns(
    workspace: Path, cycle_file: Path, lang: str
) -> None:
    from tui.app import OkrCoachApp

    # The UI language set in the settings, so that the (English) cycle file does not switch it.
    settings = load_settings(workspace, flags={"language": lang}, env={})
    app = OkrCoachApp(settings, lang=lang, blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        _assert_footer_fits(app, f"{lang}/start", {"save", "help", "quit"})
        app.open_cycle("2026-Q3")
        await pilot.pause()
        assert app.ui_lang == lang
        for step in ("strategy", "objectives", "krs", "review", "save"):
            app.go(step)
            await pilot.pause()
            await pilot.pause()
            _assert_footer_fits(app, f"{lang}/{step}", ESSENTIAL_STEP_ACTIONS)
        await pilot.press("ctrl+r")
        await pilot.pause()
        _assert_footer_fits(app, f"{lang}/check-ins", {"save", "help", "quit"})
        await pilot.press("escape", "f1")
        await pilot.pause()
        _assert_footer_fits(app, f"{lang}/help", {"save", "quit", "close"})


# ---------------------------------------------------------------- lessons on the demo

CITATION = re.compile(r"^    retros/2026-Q3\.md:\d+-\d+ \(2026-Q3, Bokning\)", re.MULTILINE)


async def test_strategy_lessons_on_an_ingested_demo(demo_workspace: Path) -> None:
    """With the demo's Q3 retrospective in memory, the Q4 strategy brings back its passages
    with their citations (what `okr-coach demo-workspace` prepares with all the demo files).
    The Q4 file itself is in memory too, but never offered as a lesson to its own strategy."""
    from coach.memory import MemoryStore
    from tui.app import OkrCoachApp

    settings = load_settings(demo_workspace, env={})
    report = MemoryStore.open(settings).ingest(
        [demo_workspace / "retros" / "2026-Q3.md", demo_workspace / "cycles" / "2026-Q4.yaml"]
    )
    assert report.files_added == 2

    app = OkrCoachApp(settings, open_cycle="2026-Q4", lang="en", blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StrategyScreen)  # the demo's Q4 draft has a strategy
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(LessonsPanel)
        text = str(panel.query_one(Static).render())
        assert CITATION.search(text), text[:400]
        assert "Winter is the next big bet" in text  # the retro's passage about winter
        assert "2026-Q4.yaml" not in text  # the cycle being edited is not a past lesson
        numbers = [int(n) for n in re.findall(r"^\[(\d+)\]", text, re.MULTILINE)]
        assert numbers == list(range(1, len(numbers) + 1))  # renumbered after the drop
        # the first rows of the panel are a lesson's words, not its source; the rest scrolls
        assert text.startswith("[1] ") and not text.startswith("[1] retros/")
        assert panel.can_focus and panel.max_scroll_y > 0
