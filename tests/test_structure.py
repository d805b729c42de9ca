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
#: the packages below app/ that hold a domain (or sit on top of the domains)
DOMAINS = ("auth", "registry", "inspections", "hazards", "photos", "escalation", "plans",
           "notifications", "reports", "overview", "demo", "web", "documents", "cli", "models",
           "choices_api")
CORE_MODULES = sorted(
    ".".join(path.relative_to(BASE_DIR).with_suffix("").parts).removesuffix(".__init__")
    for path in (APP / "core").glob("*.py"))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_a_core_module_loads_no_domain(module):
    """Imported alone, in an interpreter of its own, a core module brings no domain package."""
    probe = (f"import json, sys; import {module}; "
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('app.'))))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=BASE_DIR, capture_output=True,
                            text=True, check=True)
    loaded = json.loads(result.stdout)
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
