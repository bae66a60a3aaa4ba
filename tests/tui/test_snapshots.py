"""Snapshots of the main screens at 80x24 with fixed data (no cursor blink, workers finished).

Regenerate after an intended change with
`.venv/bin/python -m pytest tests/tui/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from .conftest import SIZE


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.05)  # let focus and the last refresh land
    await pilot.pause()


class TestStart:
    def test_start_lists_cycles(self, snap_compare, make_app, cycle_file: Path) -> None:
        """The start screen with one saved cycle (and its status) and the proposed new id,
        the quarter after the newest cycle (2026-Q4 here, whatever today's date)."""
        app = make_app()

        async def run_before(pilot) -> None:
            await _settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestFlow:
    def test_strategy(self, snap_compare, make_app, cycle_file: Path) -> None:
        """Strategy step: the text, the method's questions and the lessons panel."""
        app = make_app(open_cycle="2026-Q3")

        async def run_before(pilot) -> None:
            await _settle(pilot)
            app.go("strategy")
            await _settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_objectives(self, snap_compare, make_app, cycle_file: Path) -> None:
        """Objectives step with findings per objective and the writing guide."""
        app = make_app(open_cycle="2026-Q3")

        async def run_before(pilot) -> None:
            await _settle(pilot)
            app.go("objectives")
            await _settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_key_results_activity(self, snap_compare, make_app, cycle_file: Path) -> None:
        """KR editor on an activity-style KR: findings beside it, fields from the parsed text."""
        app = make_app(open_cycle="2026-Q3")

        async def run_before(pilot) -> None:
            await _settle(pilot)
            app.session.position.objective, app.session.position.kr = 0, 1
            app.go("krs")
            await _settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_key_results_swedish(self, snap_compare, make_app, cycle_file: Path) -> None:
        """The same editor after switching the UI to Swedish at run time."""
        app = make_app(open_cycle="2026-Q3")

        async def run_before(pilot) -> None:
            await _settle(pilot)
            app.go("krs")
            await _settle(pilot)
            await pilot.press("ctrl+l")
            await _settle(pilot)
            app.clear_notifications()
            await _settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_review_findings(self, snap_compare, make_app, cycle_file: Path) -> None:
        """Review: the summary and every finding of the set."""
        app = make_app(open_cycle="2026-Q3")

        async def run_before(pilot) -> None:
            await _settle(pilot)
            app.go("review")
            await _settle(pilot)
            app.screen.query_one("#all-findings", OptionList).highlighted = None

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestHelp:
    def test_help(self, snap_compare, make_app) -> None:
        """Help: the flow, the keys and the start of the rule docs."""
        app = make_app()

        async def run_before(pilot) -> None:
            await _settle(pilot)
            await pilot.press("f1")
            await _settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestCheckins:
    def test_checkins_on_the_demo(self, snap_compare, tui_settings, demo_workspace: Path) -> None:
        """Check-ins of the demo's Q3 cycle: bars, bands and sparklines from its history."""
        from coach.config import load_settings
        from tui.app import OkrCoachApp

        app = OkrCoachApp(load_settings(demo_workspace, env={}), lang="en", blink=False)

        async def run_before(pilot) -> None:
            await _settle(pilot)
            app.open_cycle("2026-Q3")
            await _settle(pilot)
            await pilot.press("ctrl+r")
            await _settle(pilot)
            app.clear_notifications()
            await _settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestRewriteDiff:
    """F2's rewrite shown as a diff before it changes anything (item 1 of the TUI issue)."""

    def _app(self, make_app, lang: str):
        app = make_app(open_cycle="2026-Q3")

        async def run_before(pilot) -> None:
            await _settle(pilot)
            if lang == "sv":  # the fixture's file is in English: switch the UI as a user would
                await pilot.press("ctrl+l")
                await _settle(pilot)
                app.clear_notifications()
            app.session.position.objective, app.session.position.kr = 1, 0
            app.go("krs")
            await _settle(pilot)
            await pilot.press("f2")
            await _settle(pilot)

        return app, run_before

    def test_rewrite_diff_80x24_en(self, snap_compare, make_app, cycle_file: Path) -> None:
        app, run_before = self._app(make_app, "en")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_rewrite_diff_60x20_sv(self, snap_compare, make_app, cycle_file: Path) -> None:
        app, run_before = self._app(make_app, "sv")
        assert snap_compare(app, terminal_size=(60, 20), run_before=run_before)


class TestSmallTerminal:
    def test_key_results_60x20_sv(self, snap_compare, make_app, cycle_file: Path) -> None:
        """The KR editor at 60×20 in Swedish: one row per KR in the list, so the findings
        keep rows of their own (they disappeared at this size)."""
        app = make_app(open_cycle="2026-Q3")

        async def run_before(pilot) -> None:
            await _settle(pilot)
            await pilot.press("ctrl+l")
            await _settle(pilot)
            app.clear_notifications()
            app.session.position.objective, app.session.position.kr = 0, 1
            app.go("krs")
            await _settle(pilot)

        assert snap_compare(app, terminal_size=(60, 20), run_before=run_before)
