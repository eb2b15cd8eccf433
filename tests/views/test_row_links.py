"""case_url fills a once-built link with each row's case number: the same link url_for builds, for any id."""
import pytest
from flask import url_for

from layani_flow.views.row_links import case_url

CASES = [1, 42, 2026_000_123, -987_654_321]  # an anonymous complaint's id is negative
LINKS = [("cases.detail", {}), ("cases.claim", {}), ("home.take_charge", {}),
         ("cases.transition", {"trigger": "superior_approve"}), ("cases.transition", {"trigger": "superior_decline"})]


@pytest.mark.parametrize(("endpoint", "fixed"), LINKS)
@pytest.mark.parametrize("script_root", ["", "/layani"])
def test_the_link_url_for_builds(app, endpoint, fixed, script_root):
    with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
        for case_id in CASES:
            assert case_url(endpoint, case_id, **fixed) == url_for(endpoint, case_id=case_id, **fixed)


def test_each_shape_is_built_once_a_request(app, monkeypatch):
    import layani_flow.views.row_links as row_links

    built = []
    real = row_links.url_for
    monkeypatch.setattr(row_links, "url_for", lambda *a, **kw: built.append(a) or real(*a, **kw))
    with app.test_request_context("/"):
        links = [case_url("cases.detail", case_id) for case_id in range(1, 51)]
        case_url("cases.transition", 1, trigger="superior_approve")
        case_url("cases.transition", 1, trigger="superior_decline")
    assert links[:2] == ["/kasus/1", "/kasus/2"]
    assert len(built) == 3  # one per endpoint and fixed values, not per row
