"""Architecture contracts: coach/ is pure and fast, heavy libraries stay behind one door each.

- coach/ never imports textual or tui, except the CLI's `tui` launcher (coach/cli/tui_cmd.py),
  which imports tui.app lazily inside its handler;
- only coach/llm.py imports litellm, only coach/memory.py imports chromadb, only
  coach/mcp_server.py imports mcp, only coach/serve.py imports textual_serve (and aiohttp), all inside
  functions (lazily), so none is on the start-up path;
- tui/ never imports litellm or chromadb (it goes through coach's API);
- importing every coach module in a fresh interpreter loads none of them.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import coach

ROOT = Path(__file__).resolve().parents[2]
HEAVY_OWNERS = {
    "litellm": "coach/llm.py",
    "chromadb": "coach/memory.py",
    "mcp": "coach/mcp_server.py",
    "textual_serve": "coach/serve.py",
    "aiohttp": "coach/serve.py",  # the web server under textual-serve
}
UI_LAUNCHER = "coach/cli/tui_cmd.py"


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(top-level module name, imported at module level?) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                out.extend((a.name.split(".")[0], top) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                out.append((child.module.split(".")[0], top))
            visit(child, inner)

    visit(tree, True)
    return out


def py_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_coach_never_imports_the_ui():
    bad = [
        f"{p.relative_to(ROOT)} imports {mod}"
        for p in py_files("coach")
        for mod, top in imports_of(p)
        if mod in ("textual", "tui")
        and not (str(p.relative_to(ROOT)) == UI_LAUNCHER and mod == "tui" and not top)
    ]
    assert not bad, bad


def test_each_heavy_library_has_exactly_one_lazy_importer():
    for lib, owner in HEAVY_OWNERS.items():
        users = {
            str(p.relative_to(ROOT)): top
            for p in py_files("coach") + py_files("tui")
            for mod, top in imports_of(p)
            if mod == lib
        }
        assert set(users) <= {owner}, f"{lib} imported outside {owner}: {sorted(users)}"
        assert not any(users.values()), f"{owner} imports {lib} at module level; import it lazily"


def test_importing_all_of_coach_loads_no_heavy_library():
    modules = [
        m.name
        for m in pkgutil.walk_packages(coach.__path__, "coach.")
        if not m.name.endswith("__main__")
    ]
    code = (
        "import importlib, json, sys, time\n"
        "t = time.perf_counter()\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "elapsed = time.perf_counter() - t\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'litellm', 'chromadb', 'textual', 'tui', 'onnxruntime', 'torch', 'matplotlib', "
        "'mcp', 'textual_serve', 'aiohttp'})\n"
        "print(json.dumps({'heavy': heavy, 'seconds': elapsed}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["heavy"] == [], f"importing coach pulled in {result['heavy']}"


def test_cli_help_does_not_load_heavy_libraries():
    code = (
        "import sys, json\nfrom coach.cli import build_parser\nbuild_parser()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'litellm', 'chromadb', 'textual', 'numpy', 'matplotlib', 'mcp', 'textual_serve', "
        "'aiohttp'})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
