"""A whole guided session as a team lead runs it: strategy, two objectives with four KRs each
(one a task, one vague, one without a baseline), review, save; the file must read cleanly."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, TextArea

from coach.files import read_okr_file
from tui.screens.diff import ConfirmRewrite
from tui.screens.key_results import KeyResultsScreen
from tui.screens.objectives import ObjectivesScreen
from tui.screens.review import ReviewScreen
from tui.screens.start import StartScreen
from tui.screens.strategy import StrategyScreen

from .conftest import SIZE


async def _paste(pilot, text: str) -> None:
    """A paste into the focused field (as a terminal delivers it: one event, not keys)."""
    focused = pilot.app.focused
    if isinstance(focused, TextArea):
        focused.insert(text)
    else:
        focused.insert_text_at_cursor(text)
    await pilot.pause(0.2)


async def _kr(pilot, text: str) -> None:
    """Start a new KR (F4) and write it."""
    await pilot.press("f4")
    await pilot.pause()
    await _paste(pilot, text)


async def _field(pilot, name: str, value: str) -> None:
    pilot.app.screen.query_one(f"#f-{name}", Input).focus()
    await pilot.pause()
    await _paste(pilot, value)
    pilot.app.screen.query_one("#kr-text", Input).focus()
    await pilot.pause()


async def test_a_full_guided_session_ends_in_a_clean_file(make_app, workspace: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, StartScreen)
        new = app.screen.query_one("#new-cycle", Input)
        new.value = "2027-Q1"
        new.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StrategyScreen)
        await _paste(pilot, "Fill the cabins in winter: first-time guests come back.")

        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ObjectivesScreen)
        await _paste(pilot, "Winter guests come back")
        await pilot.press("enter")
        await pilot.pause()
        await _paste(pilot, "Cabin owners trust us with their winter weeks")

        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, KeyResultsScreen)
        assert app.session.position.objective == 0
        screen.query_one("#kr-text", Input).focus()
        await _paste(pilot, "Raise repeat bookings from 18 % to 25 % by 31 March")
        await _kr(pilot, "Hold 10 customer workshops")  # a task
        await pilot.press("f3")  # → initiatives
        await pilot.pause()
        await _kr(pilot, "Improve winter bookings")  # vague: F2 rewrites it
        await _field(pilot, "baseline", "120")
        await _field(pilot, "target", "180")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRewrite)
        await pilot.press("enter")
        await pilot.pause()
        await _kr(pilot, "Reach an average review score of 4.6 by 31 March")  # no baseline
        await _field(pilot, "baseline", "4.2")
        await _kr(pilot, "Cut cancellations from 9 % to 5 % by 31 March")

        await pilot.press("f6")  # the second objective
        await pilot.pause()
        assert app.session.position.objective == 1
        screen.query_one("#kr-text", Input).focus()
        await _paste(pilot, "Grow winter listings from 40 to 60 by 31 March")
        await _kr(pilot, "Raise owner satisfaction from 3.8 to 4.3 by 31 March")
        await _kr(pilot, "Reduce payout complaints from 12 to 4 per month by 31 March")
        await _kr(
            pilot, "Raise the share of owners on yearly contracts from 20 % to 35 % by 31 March"
        )

        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await app.workers.wait_for_complete()
        assert not [f for f in app.screen.findings if f.severity.value == "error"], [
            (f.code, f.message) for f in app.screen.findings
        ]
        await pilot.press("ctrl+s")
        await pilot.pause()

    path = workspace / "cycles" / "2027-Q1.yaml"
    raw = path.read_text(encoding="utf-8")
    cycle = read_okr_file(path).cycle
    o1, o2 = cycle.objectives
    assert [i.title for i in o1.initiatives] == ["Hold 10 customer workshops"]
    assert len(o1.key_results) == 4 and len(o2.key_results) == 4
    texts = [kr.text for _, _, _, kr in cycle.iter_krs()]
    # the vague KR, rewritten from its own words, the form's numbers and the cycle's end
    assert "Winter bookings: from 120 to 180 by 2027-03-31" in texts
    review = o1.key_results[2]
    assert review.baseline == 4.2 and review.target == 4.6
    for _, _, _, kr in cycle.iter_krs():
        assert "<" not in kr.text, kr.text  # no blank left, no advice pasted
        assert kr.deadline == "2027-03-31", (kr.text, kr.deadline)
        assert kr.metric is None or len(kr.metric) > 2, (kr.text, kr.metric)
    assert "metric: R\n" not in raw and "Ask what" not in raw and "Give it" not in raw
