"""The Content-Security-Policy in a real browser: it refuses what it should, the check sees each refusal, and the
workflow diagram still draws (mermaid needs inline styles, and gets them on that page only)."""
import pytest

from .support import CSP_PREFIX, ROOT, assert_accessible, log_in, visit

pytestmark = pytest.mark.browser

MERMAID_VENDORED = (ROOT / "layani_flow" / "static" / "vendor" / "mermaid.min.js").exists()
NODE_FILL = "() => getComputedStyle(document.querySelector('pre.mermaid svg .node rect')).fill"


def _is_csp_line(message) -> bool:
    return message.text.startswith(CSP_PREFIX)


def test_injected_inline_script_is_refused_and_the_check_sees_it(page):
    visit(page, "/masuk")
    with page.expect_console_message(_is_csp_line):
        page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.injected = true';
            document.body.append(s);
        }""")
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in line for line in page.csp_violations), page.csp_violations
    with pytest.raises(AssertionError, match="Content-Security-Policy violations"):
        assert_accessible(page)
    page.csp_violations.clear()


@pytest.mark.skipif(not MERMAID_VENDORED, reason="mermaid.min.js is not vendored (run scripts/setup)")
def test_the_diagram_draws_with_its_colours_under_the_policy(page, people):
    log_in(page, people["officer"])
    response = visit(page, "/alur/complaint")
    assert "style-src 'self' 'unsafe-inline'" in response.headers["content-security-policy"]
    assert "script-src 'self';" in response.headers["content-security-policy"]
    page.locator("pre.mermaid svg .node rect").first.wait_for(state="attached")
    assert page.evaluate(NODE_FILL) != "rgb(0, 0, 0)"  # the initial state is filled darksalmon, not black
    assert_accessible(page, context="/alur/complaint with its diagram drawn")


@pytest.mark.skipif(not MERMAID_VENDORED, reason="mermaid.min.js is not vendored (run scripts/setup)")
def test_without_inline_styles_mermaid_draws_black_shapes(page, people):
    """Why the diagram page allows inline styles: under the site-wide style-src 'self', the browser refuses
    mermaid's <style> element and style attributes and every shape is filled black. When a mermaid release
    stops needing them this test fails, and the exception in views/workflows.py can go."""
    log_in(page, people["officer"])

    def strict(route):
        response = route.fetch()
        headers = dict(response.headers)
        headers["content-security-policy"] = headers["content-security-policy"].replace(" 'unsafe-inline'", "")
        route.fulfill(response=response, headers=headers)

    page.route("**/alur/complaint", strict)
    with page.expect_console_message(_is_csp_line):
        page.goto("/alur/complaint")
        page.locator("pre.mermaid svg .node rect").first.wait_for(state="attached")
    assert page.evaluate(NODE_FILL) == "rgb(0, 0, 0)"
    assert any("style-src" in line for line in page.csp_violations), page.csp_violations
    page.csp_violations.clear()
