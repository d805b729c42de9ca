"""The package boundaries that `make lint` (import-linter, .importlinter) checks statically, seen
from the running interpreter: core loads no domain, and the app imports at the top of its files."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from config import BASE_DIR

APP = BASE_DIR / "app"
#: what below app/ is not a domain: the core, the domain exceptions and the unbound extensions
NOT_DOMAINS = {"core", "errors", "extensions", "__init__", "__pycache__"}
#: the packages and modules below app/ that hold a domain (or sit on top of the domains), found
#: on disk so that a new domain is covered the day it is added
DOMAINS = sorted({path.stem for path in APP.iterdir()
                  if (path.suffix == ".py" or (path / "__init__.py").exists())} - NOT_DOMAINS)
CORE_MODULES = sorted(
    ".".join(path.relative_to(BASE_DIR).with_suffix("").parts).removesuffix(".__init__")
    for path in (APP / "core").glob("*.py"))


# One interpreter of its own for the whole probe (the test run has every domain loaded); before
# each core module, every ``app`` module is forgotten, so each import starts from nothing of ours.
PROBE = """
import json, sys
loaded = {}
for module in sys.argv[1:]:
    for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        del sys.modules[name]
    __import__(module)
    loaded[module] = sorted(m for m in sys.modules if m.startswith("app."))
print(json.dumps(loaded))
"""


@pytest.fixture(scope="module")
def loaded_by_core_module() -> dict[str, list[str]]:
    result = subprocess.run([sys.executable, "-c", PROBE, *CORE_MODULES], cwd=BASE_DIR,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_the_domains_are_found():
    assert {"hazards", "registry", "escalation", "models", "choices_api"} <= set(DOMAINS)
    assert "core" not in DOMAINS


@pytest.mark.parametrize("module", CORE_MODULES)
def test_a_core_module_loads_no_domain(module, loaded_by_core_module):
    """Imported alone, with none of ours loaded before it, a core module brings no domain."""
    loaded = loaded_by_core_module[module]
    assert module in loaded
    domains = [m for m in loaded if m.split(".")[1] in DOMAINS]
    assert domains == [], f"import {module} loads {domains}"


def _nested_app_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for scope in ast.walk(tree):
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in ast.walk(scope):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if any(n == "app" or n.startswith("app.") for n in names):
                found.append(f"{path.relative_to(BASE_DIR)}:{node.lineno}")
    return found


def test_the_app_imports_itself_only_at_the_top_of_its_files():
    """An import inside a function hides a dependency (and often a circle) from the reader and
    from the layer check; app/ has none."""
    nested = [hit for path in sorted(APP.rglob("*.py")) for hit in _nested_app_imports(path)]
    assert sorted(set(nested)) == []
