"""Which package may import which (docs/decisions/0097), checked over the
source with ast, so a lazy import inside a function counts too.

- Nothing outside xuanren/synth imports xuanren.synth: the seeder is a tool
  built on the product, never a part of it (the XLSX import and the seed
  share xuanren.common.bulk and xuanren.people.bulk instead).
- Nothing outside xuanren/web imports xuanren.web, except the page modules of
  the apps (views*.py, urls*.py and the root urls.py), which use the one page
  decorator (docs/decisions/0032) and the shared page forms. Documents,
  exchange, services and selectors take what they show from the domain apps.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "xuanren"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, name: str | None = None) -> set[str]:
    """Every module the file imports, anywhere in it, relative imports
    resolved (from `name`, the module's dotted name, by default its path's)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = name or _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # `from xuanren import web` imports the package xuanren.web.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _imports_package(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(package + "."))


def _sources(exclude: str) -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not p.is_relative_to(PACKAGE / exclude))


def _is_page_module(path: Path) -> bool:
    return path.stem.startswith(("views", "urls"))


def test_the_checker_sees_relative_lazy_and_package_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import datetime\n"
        "def f():\n"
        "    from ..synth import loader\n"
        "    from xuanren import web\n"
        "    import xuanren.web.cases\n"
        "from xuanren.webhooks import x\n",
        encoding="utf-8",
    )
    found = imported_modules(probe, "xuanren.exchange.probe")
    assert _imports_package(found, "xuanren.synth") == ["xuanren.synth", "xuanren.synth.loader"]
    assert _imports_package(found, "xuanren.web") == ["xuanren.web", "xuanren.web.cases"]


@pytest.mark.parametrize("path", _sources("synth"), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_outside_synth_imports_synth(path: Path) -> None:
    assert _imports_package(imported_modules(path), "xuanren.synth") == []


@pytest.mark.parametrize(
    "path",
    [p for p in _sources("web") if not _is_page_module(p)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_nothing_but_pages_imports_the_web_layer(path: Path) -> None:
    assert _imports_package(imported_modules(path), "xuanren.web") == []


def test_the_rules_cover_documents_and_exchange() -> None:
    """The modules the rules were written for are among those checked."""
    checked = {p.relative_to(PACKAGE).as_posix() for p in _sources("web") if not _is_page_module(p)}
    assert {
        "documents/record.py",
        "documents/approval_form.py",
        "exchange/xlsx_import.py",
    } <= checked
