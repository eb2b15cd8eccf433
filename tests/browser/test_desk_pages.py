"""The desk's other pages: the queue views, the team list and the workflow diagrams (drawn by mermaid)."""
import pytest

from layani_flow.workflows import REGISTRY

from .support import ROOT, assert_accessible, log_in, visit

pytestmark = pytest.mark.browser

MERMAID_VENDORED = (ROOT / "layani_flow" / "static" / "vendor" / "mermaid.min.js").exists()


def test_officer_reads_every_workflow_diagram(page, people):
    log_in(page, people["officer"])
    visit(page, "/alur")
    for case_type, workflow in REGISTRY.items():
        visit(page, f"/alur/{case_type}")
        assert page.get_by_role("heading", level=1, name=workflow.title).is_visible()
        if MERMAID_VENDORED:  # scripts/setup copies it from node_modules; without it the page shows the text
            page.locator("pre.mermaid svg").first.wait_for(state="attached")
            assert "Syntax error" not in page.locator("pre.mermaid").inner_text(), f"mermaid rejected {case_type}"
            assert_accessible(page, context=f"/alur/{case_type} with its diagram drawn")


def test_supervisor_sees_queue_views_and_team(page, people):
    log_in(page, people["kasubbag"])
    for view in ("belum_diklaim", "saya", "semua"):
        visit(page, f"/antrian?tampilan={view}")
    visit(page, "/tim")
    assert page.get_by_role("heading", level=1).is_visible()
