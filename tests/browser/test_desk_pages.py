"""The desk's other pages: the queue views and the team list (the workflow diagrams: test_alur.py)."""
import pytest

from .support import log_in, visit

pytestmark = pytest.mark.browser


def test_supervisor_sees_queue_views_and_team(page, people):
    log_in(page, people["kasubbag"])
    for view in ("belum_diklaim", "saya", "semua"):
        visit(page, f"/antrian?tampilan={view}")
    visit(page, "/tim")
    assert page.get_by_role("heading", level=1).is_visible()
