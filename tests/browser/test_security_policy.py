"""The Content-Security-Policy in a real browser: it refuses what it should, and the check sees each refusal.
(The workflow diagram is server-made SVG now: tests/browser/test_alur.py checks it under the strict policy.)"""
import pytest

from .support import CSP_PREFIX, assert_accessible, visit

pytestmark = pytest.mark.browser


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
