"""Small things a team lead trips over: words in the UI language, counts, check-in forms and
labels, where the KR step starts (items 7 of the TUI issue)."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandInput
from textual.widgets import Input, Static

from tui.screens.checkin import CheckinScreen, KrProgress
from tui.screens.key_results import KeyResultsScreen
from tui.screens.objectives import ObjectivesScreen

from .conftest import SIZE


async def _type(pilot, text: str) -> None:
    await pilot.press(*[c if c != " " else "space" for c in text])


async def test_swedish_ui_has_no_english_direction_or_palette_hint(
    make_app, cycle_file: Path
) -> None:
    app = make_app(open_cycle="2026-Q3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        app.session.position.objective, app.session.position.kr = 0, 0
        app.go("krs")
        await pilot.pause()
        assert isinstance(app.screen, KeyResultsScreen)
        parsed = str(app.screen.query_one("#kr-parsed", Static).render())
        assert "Riktning: upp " in parsed and ": up " not in parsed
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.query_one(CommandInput).placeholder == "Sök bland kommandon…"


async def test_a_lower_is_better_kr_above_its_target_is_not_reached(
    make_app, workspace: Path
) -> None:
    path = workspace / "cycles" / "2026-Q1.yaml"
    path.write_text(
        "schema_version: 1\ncycle: 2026-Q1\nstatus: active\nlanguage: en\n"
        "objectives:\n  - title: Guests get help fast\n    key_results:\n"
        "      - text: Cut the support wait time to 30 minutes\n        target: 30\n"
        "        checkins: [{date: 2026-02-01, value: 33}]\n"
        "      - text: Cut support tickets from 45 to 30 per 1000 bookings\n"
        "        baseline: 45\n        target: 30\n"
        "        checkins: [{date: 2026-02-01, value: 33}]\n",
        encoding="utf-8",
    )
    app = make_app(open_cycle="2026-Q1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        rows = [str(r.query(Static)[1].render()) for r in app.screen.query(KrProgress)]
        assert "reached" not in rows[0] and "behind" in rows[0], rows[0]
        # 80 % of the way from 45 to 30 is good progress, but 33 is not the target reached
        assert "reached" not in rows[1] and "good progress" in rows[1], rows[1]


async def test_closed_cycle_shows_progress_without_a_form(make_app, workspace: Path) -> None:
    path = workspace / "cycles" / "2025-Q4.yaml"
    path.write_text(
        "schema_version: 1\ncycle: 2025-Q4\nstatus: closed\nlanguage: en\n"
        "objectives:\n  - title: Guests get help fast\n    key_results:\n"
        "      - text: Cut the support wait time from 45 to 30 minutes\n",
        encoding="utf-8",
    )
    app = make_app(open_cycle="2025-Q4")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckinScreen)
        assert not screen.query("#ci-value") and not screen.query("#ci-add")
        assert "closed" in str(screen.query_one("#ci-closed", Static).render())


async def test_checkin_typing_starts_in_the_value_and_tabs_in_form_order(
    make_app, cycle_file: Path
) -> None:
    app = make_app(open_cycle="2026-Q3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckinScreen)
        await _type(pilot, "68")
        await pilot.press("tab")
        await _type(pilot, "0.7")
        await pilot.press("tab")
        await _type(pilot, "ok")
        await pilot.press("enter")
        await pilot.pause()
        kr = app.session.cycle.objectives[0].key_results[0]
        assert [(c.value, c.confidence, c.note) for c in kr.checkins] == [(68.0, 0.7, "ok")]
        assert screen.query_one("#ci-value", Input).value == ""


async def test_key_results_step_opens_on_the_first_objective(make_app, workspace: Path) -> None:
    app = make_app(open_cycle="2027-Q1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.go("objectives")
        await pilot.pause()
        assert isinstance(app.screen, ObjectivesScreen)
        for i, title in enumerate(("Delight winter guests", "Win cabin owners in the north")):
            app.session.set_objective_title(i, title)
        app.session.position.objective = 1  # the last objective written had focus
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, KeyResultsScreen)
        assert app.session.position.objective == 0
        assert "Delight winter guests" in str(
            app.screen.query_one("#kr-objective", Static).render()
        )


async def test_the_language_chosen_with_ctrl_l_is_kept_after_restart(
    make_app, cycle_file: Path
) -> None:
    app = make_app(open_cycle="2026-Q3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.ui_lang == "en"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.ui_lang == "sv"
    app = make_app(open_cycle="2026-Q3")  # the file says English; the user chose Swedish
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.ui_lang == "sv"


async def test_offline_f7_offers_the_objective_in_kr_shape_not_unrelated_kpis(
    make_app, workspace: Path
) -> None:
    """Offline suggestions for "Increase winter bookings" were cost and schedule variance; a
    catalog KPI must fit, else the objective's own measure in the KR shape is offered."""
    from tui.screens.pick import PickDraft

    app = make_app(open_cycle="2027-Q1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.set_objective_title(0, "Increase winter bookings")
        app.session.position.objective = 0
        app.go("krs")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PickDraft)
        texts = [d.text for d in app.screen.drafts.items]
        assert texts and all("variance" not in t.lower() for t in texts), texts
        assert "Raise winter bookings from <baseline> to <target> by 2027-03-31" in texts


async def test_a_toast_does_not_cover_the_findings(make_app, cycle_file: Path) -> None:
    from textual.widgets._toast import Toast

    for size in (SIZE, (60, 20)):
        app = make_app(open_cycle="2026-Q3")
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.pause()
            app.session.position.objective, app.session.position.kr = 0, 1
            app.go("krs")
            await pilot.pause()
            app.clear_notifications()
            await pilot.pause()
            await pilot.press("f2")  # a task: F2 says why it does not rewrite, in a toast
            await pilot.pause(0.1)
            await pilot.pause()
            toasts = list(app.screen.query(Toast))
            assert toasts, [str(n.message) for n in app._notifications]
            findings = app.screen.query_one("#kr-findings-box").region
            assert findings.height >= 3, size
            for toast in toasts:
                assert not toast.region.overlaps(findings), (size, toast.region, findings)
