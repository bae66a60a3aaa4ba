"""Screens of the guided flow. ``step_screen(step)`` builds the screen for one step."""

from __future__ import annotations

from textual.screen import Screen


def step_screen(step: str) -> Screen:
    from tui.screens.key_results import KeyResultsScreen
    from tui.screens.objectives import ObjectivesScreen
    from tui.screens.review import ReviewScreen
    from tui.screens.save import SaveScreen
    from tui.screens.strategy import StrategyScreen

    screens: dict[str, type[Screen]] = {
        "strategy": StrategyScreen,
        "objectives": ObjectivesScreen,
        "krs": KeyResultsScreen,
        "review": ReviewScreen,
        "save": SaveScreen,
    }
    return screens[step]()
