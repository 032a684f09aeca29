"""The arrows of the house (STYLE.md) hold: a test fails when an import breaks them.

Feature apps never import each other or the index; the index reads other apps only
through their selectors; the shared package imports no app; and no module imports
itself back through others (an import circle), function-local imports included.
Built on grimp, the import graph behind import-linter.
"""

import grimp
import pytest

FEATURE_APPS = ("rumors", "campaigns", "charity")
INDEX = "civility_index"
SHARED = "wenzhou_portal"
PACKAGES = (*FEATURE_APPS, INDEX, SHARED)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=False)


def _imports(graph, package: str) -> list[tuple[str, str]]:
    """(importer, imported) for every import made by a module of this package."""
    return sorted(
        (module, imported)
        for module in graph.modules
        if module == package or module.startswith(package + ".")
        for imported in graph.find_modules_directly_imported_by(module)
    )


def _package(module: str) -> str:
    return module.split(".", 1)[0]


@pytest.mark.parametrize("app", FEATURE_APPS)
def test_a_feature_app_imports_no_other_app_and_not_the_index(graph, app):
    wrong = [
        (importer, imported)
        for importer, imported in _imports(graph, app)
        if _package(imported) in {*FEATURE_APPS, INDEX} - {app}
    ]
    assert wrong == []


def test_the_index_reads_other_apps_only_through_their_selectors(graph):
    wrong = [
        (importer, imported)
        for importer, imported in _imports(graph, INDEX)
        if _package(imported) in FEATURE_APPS and not imported.endswith(".selectors")
    ]
    assert wrong == []


def test_the_shared_package_imports_no_app(graph):
    wrong = [
        (importer, imported)
        for importer, imported in _imports(graph, SHARED)
        if _package(imported) in {*FEATURE_APPS, INDEX}
    ]
    assert wrong == []


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & set(modules)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_there_is_no_import_circle(graph):
    assert _cycles(graph) == []
