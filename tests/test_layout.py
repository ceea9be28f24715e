"""The app's layout: each package says what it owns and what it may import, and no module
imports one of a higher layer. Read from the source, so a module added anywhere is judged."""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import tracker

SOURCE = Path(tracker.__file__).parent

# The layers, lowest first: a module may import its own layer and those below, never above.
# A module's layer is given by its most specific pattern (an exact name before a package's
# `.*`); a module no pattern places fails `test_every_module_has_a_layer` until placed.
LAYERS: list[tuple[str, list[str]]] = [
    (
        "rules over plain values: no database, no request",
        [
            "tracker.text",
            "tracker.log_filters",
            "tracker.network",
            "tracker.uploads",
            "tracker.checks",
            "tracker.standings.engine",
            "tracker.standings.words",
            "tracker.standings.formats",
            "tracker.standings.announcing",
            "tracker.figures.numbers",
            "tracker.figures.plausibility",
            "tracker.figures.rights",
            "tracker.figures.evidence",
            "tracker.figures.import_rows",
            "tracker.excel.safety",
            "tracker.excel.reader",
            "tracker.excel.common",
            "tracker.excel.openpyxl_adapter",
            "tracker.regions.*",
        ],
    ),
    ("the data", ["tracker.models", "tracker.models.*"]),
    (
        "what reads",
        [
            "tracker.standings.*",
            "tracker.figures.history",
            "tracker.reminders.deadlines",
            "tracker.reminders.todo",
        ],
    ),
    (
        "what writes",
        [
            "tracker.figures.*",
            "tracker.reminders.*",
            "tracker.plans.next_plan",
            "tracker.indicators.*",
        ],
    ),
    ("files", ["tracker.excel.*"]),
    ("plans as a whole", ["tracker.plans.*"]),
    (
        "pages, admin and commands",
        [
            "tracker.views.*",
            "tracker.public.*",
            "tracker.templatetags.*",
            "tracker.management.*",
            "tracker.admin",
            "tracker.admin_users",
            "tracker.django_strings",
            "tracker.apps",
            "tracker.forms",
            "tracker.tables",
            "tracker.filters",
            "tracker.charts",
            "tracker.urls",
            "tracker.middleware",
            "tracker.context_processors",
            "tracker.demo",
        ],
    ),
]

# Folders whose names Django fixes; every other package opens with its docstring.
FIXED = {"migrations", "management", "templatetags", "locale", "static", "templates"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, str]:
    """Every module of the app but its migrations, by dotted name."""
    return {
        module_name(path): path.read_text(encoding="utf-8")
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.relative_to(SOURCE).parts
    }


def layer(module: str) -> int | None:
    """The index of `module`'s layer in LAYERS, by its most specific pattern."""
    best: tuple[int, int] | None = None  # (specificity, layer)
    for index, (_, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            if pattern.endswith(".*"):
                fits = module.startswith(pattern[:-1])
                specificity = len(pattern) - 2
            else:
                fits = fnmatchcase(module, pattern)
                specificity = 10_000
            if fits and (best is None or specificity > best[0]):
                best = (specificity, index)
    return None if best is None else best[1]


def imported(module: str, source: str, known: set[str]) -> list[tuple[int, str]]:
    """The tracker modules `module` imports, anywhere in it, with their lines."""
    found = []
    package = module if module in known and module_is_package(module) else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for a in node.names:
                full = f"{base}.{a.name}"
                found.append((node.lineno, full if full in known else base))
    return [(line, name) for line, name in found if name.split(".")[0] == "tracker"]


def module_is_package(module: str) -> bool:
    return (SOURCE.parent / module.replace(".", "/") / "__init__.py").exists()


def violations(modules: dict[str, str]) -> list[str]:
    """Each import of a module from a higher layer, said with both layers."""
    known = set(modules)
    found = []
    for module, source in modules.items():
        own = layer(module)
        if own is None:
            continue
        for line, target in imported(module, source, known):
            theirs = layer(target)
            if theirs is not None and theirs > own:
                found.append(
                    f"{module}:{line} ({LAYERS[own][0]}) imports {target} ({LAYERS[theirs][0]})"
                )
    return found


def test_the_source_is_found():
    found = sources()
    assert {"tracker.models", "tracker.standings.engine", "tracker.excel.report"} <= set(found)
    assert len(found) > 50


def test_every_module_has_a_layer():
    """A package's __init__ holding only its docstring needs none: it imports nothing."""
    unplaced = [
        module
        for module, source in sources().items()
        if layer(module) is None and (ast.parse(source).body[1:] or not module_is_package(module))
    ]
    assert unplaced == [], "place these in LAYERS: " + ", ".join(unplaced)


def test_no_module_imports_a_higher_layer():
    assert violations(sources()) == []


def test_an_upward_import_is_found_wherever_it_is():
    """The rule can fail: the engine importing a view, at the top or inside a function, and a
    reminder importing the Excel package, are each caught; an import downwards is not."""
    modules = sources()
    modules["tracker.standings.engine"] += (
        "\nfrom tracker.views import dashboard\n\ndef later():\n    import tracker.admin\n"
    )
    modules["tracker.reminders.deadlines"] += "\nfrom tracker.excel.report import write_report\n"
    modules["tracker.views.entry"] += "\nfrom tracker.standings import engine\n"
    found = violations(modules)
    assert len(found) == 3, found
    assert any(
        v.startswith("tracker.standings.engine:") and "tracker.views.dashboard" in v for v in found
    )
    assert any("imports tracker.admin (pages" in v for v in found)
    assert any(v.startswith("tracker.reminders.deadlines:") for v in found)


def test_the_most_specific_pattern_places_a_module():
    assert LAYERS[layer("tracker.standings.engine")][0].startswith("rules over plain values")
    assert LAYERS[layer("tracker.standings.store")][0] == "what reads"
    assert LAYERS[layer("tracker.plans.next_plan")][0] == "what writes"
    assert LAYERS[layer("tracker.plans.evaluations")][0] == "plans as a whole"
    assert layer("tracker.somewhere_new") is None


def packages() -> list[Path]:
    return sorted(
        path.parent for path in SOURCE.glob("*/__init__.py") if path.parent.name not in FIXED
    )


def test_every_package_opens_with_what_it_owns_and_may_import():
    found = {path.name for path in packages()}
    assert {"standings", "figures", "plans", "reminders", "excel", "views"} <= found
    missing = []
    for path in packages():
        doc = ast.get_docstring(ast.parse((path / "__init__.py").read_text(encoding="utf-8")))
        if not doc or "may import" not in doc.lower():
            missing.append(path.name)
    assert missing == [], f"these packages' __init__ do not say what they may import: {missing}"
