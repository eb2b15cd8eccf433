"""A case type is one declaration: what it does lives in layani_flow/workflows/, and the rest of the package
is generic over the registry. These tests read the source, so a new branch on a case type or a trigger
outside workflows/ fails here with its file and line, before it spreads."""
from __future__ import annotations

import ast
from pathlib import Path

import layani_flow
from layani_flow.workflows import REGISTRY

PACKAGE = Path(layani_flow.__file__).parent
CASE_TYPES = frozenset(REGISTRY)
TRIGGERS = frozenset(s.trigger for wf in REGISTRY.values() for s in wf.steps)

# Each names a case type on purpose, and is not a branch: keep this list short, and say why.
MAY_NAME_A_CASE_TYPE = {
    "services/demo.py": "seeds the demo office with cases of each type",
    "views/intake.py": "/aduan-anonim is the anonymous complaint form (ANONYMOUS_FORM_TYPE)",
    "views/chat.py": "/chat is the ChatCanal page: it files chats (CHAT_TYPE)",
}


def _package_modules() -> list[Path]:
    """Every module outside workflows/ and the migrations, but not forms/<case_type>.py: like a case type's
    templates, those hold one type's own forms."""
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ("workflows", "migrations"):
            continue
        if relative.parts[0] == "forms" and path.stem in CASE_TYPES:
            continue
        modules.append(path)
    return modules


def _strings(node: ast.AST) -> set[str]:
    """The string literals `node` is made of: a constant, or a tuple, list or set of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set().union(*(_strings(e) for e in node.elts)) if node.elts else set()
    return set()


def _names_a_trigger_or_type(node: ast.AST) -> bool:
    """`x.case_type`, `case_type`, `event.trigger`, `trigger`, `data["trigger"]`: what a branch would test."""
    if isinstance(node, ast.Attribute):
        return node.attr in ("case_type", "trigger")
    if isinstance(node, ast.Name):
        return node.id in ("case_type", "trigger")
    if isinstance(node, ast.Subscript):
        return _strings(node.slice) & {"case_type", "trigger", "type"} != set()
    return False


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            ids.add(id(node.value))
    return ids


def _findings(path: Path) -> list[str]:
    return _findings_in(path.read_text(), path.relative_to(PACKAGE).as_posix())


def _findings_in(source: str, relative: str) -> list[str]:
    tree = ast.parse(source, filename=relative)
    found = []

    def report(node: ast.AST, what: str) -> None:
        found.append(f"layani_flow/{relative}:{getattr(node, 'lineno', '?')}: {what}")

    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            literals = set().union(*(_strings(s) for s in sides))
            if literals & CASE_TYPES or (literals & TRIGGERS and any(_names_a_trigger_or_type(s) for s in sides)):
                report(node, f"compares with {sorted(literals & (CASE_TYPES | TRIGGERS))}")
            elif literals and any(_names_a_trigger_or_type(s) for s in sides):
                report(node, f"compares a case type or trigger with {sorted(literals)}")
        elif isinstance(node, ast.match_case):
            literals = set().union(*(_strings(p.value) for p in ast.walk(node.pattern) if isinstance(p, ast.MatchValue)))
            if literals & (CASE_TYPES | TRIGGERS):
                report(node.pattern, f"matches {sorted(literals & (CASE_TYPES | TRIGGERS))}")
        elif isinstance(node, ast.Dict):
            keys = set().union(*(_strings(k) for k in node.keys if k is not None))
            if keys & (CASE_TYPES | TRIGGERS):
                report(node, f"a table keyed by {sorted(keys & (CASE_TYPES | TRIGGERS))}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "in_":
            literals = set().union(*(_strings(a) for a in node.args))
            if literals & (CASE_TYPES | TRIGGERS):
                report(node, f"filters on {sorted(literals & (CASE_TYPES | TRIGGERS))}")
        elif (isinstance(node, ast.Constant) and node.value in CASE_TYPES and id(node) not in docstrings
              and relative not in MAY_NAME_A_CASE_TYPE):
            report(node, f"names the case type {node.value!r}")
    return found


def test_nothing_outside_workflows_branches_on_a_case_type_or_a_trigger():
    findings = [line for path in _package_modules() for line in _findings(path)]
    assert findings == [], (
        "What a case type does belongs in its declaration (layani_flow/workflows/): add a trait, an effect or "
        "a notify entry there, and ask the registry.\n" + "\n".join(findings))


def test_the_search_finds_what_it_is_meant_to():
    """The rule itself, on a module that does everything it forbids."""
    sample = (
        'def f(case, event):\n'
        '    if case.case_type == "mediation":\n'
        '        return {"answer": None}\n'
        '    if event.trigger in ("forward", "close"):\n'
        '        return Case.case_type.in_(("service_request",))\n'
        '    return case.case_type != "consultation"\n'
    )
    found = [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in _findings_in(sample, "views/sample.py")]
    assert sorted(found) == ["2", "2", "3", "4", "5", "5", "6", "6"]  # "consultation" is a case type now: named too


FORBIDDEN_IN_WORKFLOWS = ("flask", "sqlalchemy", "flask_sqlalchemy", "wtforms", "flask_wtf")
FORBIDDEN_PACKAGE_PARTS = ("extensions", "models", "services", "forms", "views", "clock")


def test_workflows_stay_pure():
    """Declarations are data and pure functions: no database, no Flask, no forms, no wall clock."""
    problems = []
    for path in sorted((PACKAGE / "workflows").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
                if node.level and not node.module:
                    names = [f"{'.' * node.level}{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                top = name.lstrip(".").split(".")[0]
                if (not name.startswith(".") and top in FORBIDDEN_IN_WORKFLOWS) or (
                        name.startswith("..") and top in FORBIDDEN_PACKAGE_PARTS):
                    problems.append(f"{path.name}:{node.lineno} imports {name}")
    assert problems == []
