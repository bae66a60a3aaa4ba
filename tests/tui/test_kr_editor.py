"""The KR editor as a team lead meets it: F2 rewrites (shown as a diff, undoable, never a
rule's advice pasted in), autofilled fields that follow the text, and the live check reading
the form's fields."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from coach.files import read_okr_file
from coach.parse.kr import parse_kr
from tui.screens.diff import ConfirmRewrite
from tui.screens.key_results import KeyResultsScreen
from tui.widgets.findings import FindingsView

from .conftest import SIZE


async def _type(pilot, text: str) -> None:
    await pilot.press(*[c if c != " " else "space" for c in text])


async def _open_kr(app, pilot, oi: int, ki: int) -> KeyResultsScreen:
    await pilot.pause()
    app.session.position.objective, app.session.position.kr = oi, ki
    app.go("krs")
    await pilot.pause()
    assert isinstance(app.screen, KeyResultsScreen)
    return app.screen


def _messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_f2_shows_a_diff_applies_on_enter_and_ctrl_z_undoes(
    make_app, cycle_file: Path
) -> None:
    app = make_app(open_cycle="2026-Q3")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_kr(app, pilot, 1, 0)
        kr = app.session.cycle.objectives[1].key_results[0]
        advice = [f.suggestion for f in screen.check.findings if f.suggestion]
        await pilot.press("f2")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmRewrite)
        assert modal.old == "Increase owner satisfaction"
        assert modal.new.startswith("Raise owner satisfaction from <baseline> to <target>")
        assert kr.text == "Increase owner satisfaction", "nothing changes before Enter"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert kr.text == modal.new
        assert screen.query_one("#kr-text", Input).value == modal.new
        assert all(a not in kr.text for a in advice), "a finding's advice is never pasted"
        # pressed again: the KR is already in the shared form, nothing nests
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is screen and kr.text == modal.new
        assert any("nothing to rewrite" in m for m in _messages(app))
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert kr.text == "Increase owner satisfaction"
        assert screen.query_one("#kr-text", Input).value == "Increase owner satisfaction"


async def test_f2_escape_keeps_the_kr(make_app, cycle_file: Path) -> None:
    app = make_app(open_cycle="2026-Q3")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_kr(app, pilot, 1, 0)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRewrite)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert app.session.cycle.objectives[1].key_results[0].text == (
            "Increase owner satisfaction"
        )


async def test_f2_refuses_a_task_and_an_unreadable_metric(make_app, cycle_file: Path) -> None:
    app = make_app(open_cycle="2026-Q3")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_kr(app, pilot, 0, 1)  # "Make 100 calls to guests …"
        before = app.session.cycle.objectives[0].key_results[1].text
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is screen
        assert app.session.cycle.objectives[0].key_results[1].text == before
        assert any("F3 moves it to initiatives" in m for m in _messages(app))
        text = screen.query_one("#kr-text", Input)
        text.value = "Reach 50 by 31 December"
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is screen and text.value == "Reach 50 by 31 December"
        assert any("cannot tell what this key result measures" in m for m in _messages(app))


async def test_f2_keeps_the_form_fields_and_the_cycle_end(make_app, workspace: Path) -> None:
    app = make_app(open_cycle="2027-Q1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.set_objective_title(0, "Delight winter guests")
        screen = await _open_kr(app, pilot, 0, 0)
        text = screen.query_one("#kr-text", Input)
        text.focus()
        await _type(pilot, "Increase winter bookings")
        await pilot.pause(0.3)
        screen.query_one("#f-baseline", Input).value = "120"
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRewrite)
        assert app.screen.new == ("Raise winter bookings from 120 to <target> by 2027-03-31")


async def test_autofill_follows_the_text_and_no_stale_field_is_saved(
    make_app, workspace: Path
) -> None:
    """Typing "Reach NPS 50" key by key once left `metric: R` (the first keystroke's parse)
    in the file: an autofilled field the text no longer says is cleared."""
    app = make_app(open_cycle="2027-Q1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.set_objective_title(0, "Delight winter guests")
        screen = await _open_kr(app, pilot, 0, 0)
        screen.query_one("#kr-text", Input).focus()
        await _type(pilot, "Reach NPS 50")
        await pilot.pause(0.3)
        kr = app.session.cycle.objectives[0].key_results[0]
        assert kr.text == "Reach NPS 50"
        # autofilled fields say what the final text says, nothing an earlier keystroke said
        parsed = parse_kr("Reach NPS 50", "en")
        assert (kr.metric, kr.target) == (parsed.metric, parsed.target == 50 and 50.0)
        app.session.save()
        saved = read_okr_file(app.session.target).cycle.objectives[0].key_results[0]
        assert saved.metric == parsed.metric
        assert "metric: R\n" not in app.session.target.read_text(encoding="utf-8")


async def test_live_check_reads_the_baseline_field(make_app, workspace: Path) -> None:
    app = make_app(open_cycle="2027-Q1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.set_objective_title(0, "Delight winter guests")
        screen = await _open_kr(app, pilot, 0, 0)
        screen.query_one("#kr-text", Input).focus()
        await _type(pilot, "Raise NPS to 50 by 31 March")
        await pilot.pause(0.3)
        view = screen.query_one("#kr-findings", FindingsView)
        assert "OKR004" in {f.code for f in view.findings}
        screen.query_one("#f-baseline", Input).focus()
        await _type(pilot, "31")
        await pilot.pause()
        assert "OKR004" not in {f.code for f in view.findings}
        assert app.session.cycle.objectives[0].key_results[0].baseline == 31


async def test_a_deadline_after_the_cycle_is_flagged_and_stored_as_a_date(
    make_app, workspace: Path
) -> None:
    """ "by 30 June" in a Q1 cycle is no Q1 result: the editor says so, and the deadline is
    kept as the date the phrase names (in the cycle's year), not as free text."""
    app = make_app(open_cycle="2027-Q1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.set_objective_title(0, "Delight winter guests")
        screen = await _open_kr(app, pilot, 0, 0)
        screen.query_one("#kr-text", Input).focus()
        await _type(pilot, "Raise repeat bookings from 18 % to 25 % by 30 June")
        await pilot.pause(0.3)
        kr = app.session.cycle.objectives[0].key_results[0]
        assert kr.deadline == "2027-06-30"
        parsed = str(screen.query_one("#kr-parsed").render())
        assert "after the cycle ends (2027-03-31)" in parsed
        text = screen.query_one("#kr-text", Input)
        text.value = "Raise repeat bookings from 18 % to 25 % by 31 March"
        await pilot.pause(0.3)
        assert kr.deadline == "2027-03-31"
        assert "after the cycle" not in str(screen.query_one("#kr-parsed").render())


def test_deadline_dates_in_both_languages() -> None:
    from datetime import date

    from coach.parse.dates import deadline_date

    q4 = date(2026, 10, 1)
    assert deadline_date("by 30 June", "en", q4) == date(2027, 6, 30)  # the next 30 June
    assert deadline_date("senast 31 december", "sv", q4) == date(2026, 12, 31)
    assert deadline_date("by end of March 2027", "en", q4) == date(2027, 3, 31)
    assert deadline_date("by Q2", "en", q4) == date(2027, 6, 30)
    assert deadline_date("by 2026-11-15", "en", q4) == date(2026, 11, 15)
    assert deadline_date("this quarter", "en", q4) is None
    assert deadline_date("within 6 months", "en", q4) is None
