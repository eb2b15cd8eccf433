"""/alur in a real browser at 1280 px and 360 px: the server-made SVG shows every state, the page passes axe
and the strict Content-Security-Policy (no inline style any more), and on a phone the diagram scrolls sideways
in its own box instead of widening the page."""
import pytest

from layani_flow.workflows import REGISTRY

from .support import assert_accessible, log_in, visit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 360])
def test_officer_reads_every_workflow_diagram(page, people, width):
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, people["officer"])
    visit(page, "/alur")
    for case_type, workflow in REGISTRY.items():
        response = visit(page, f"/alur/{case_type}")  # axe at this width, no CSP violation
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        assert page.get_by_role("heading", level=1, name=workflow.title).is_visible()
        diagram = page.get_by_role("img", name=f"Diagram status {workflow.title}")
        assert diagram.is_visible()
        for label in workflow.states.values():
            assert page.locator("svg.workflow-diagram text", has_text=label.split()[0]).count() >= 1
        # The page itself never scrolls sideways: only the diagram's own box does.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1
        if width < 700:  # at full size, in its own box, reachable by keyboard (tabindex) and by swiping
            box = page.locator(".diagram-scroll")
            assert page.evaluate("(el) => el.scrollWidth > el.clientWidth", box.element_handle()), case_type
        assert_accessible(page, context=f"/alur/{case_type} at {width}px")
