"""Links to one case each, for the rows of a list: built by url_for once per page and filled in per row.

url_for runs werkzeug's rule builder on every call; the officer's inbox of a hundred items called it four
hundred times, a tenth of the page's CPU. A link's shape (everything but the case's number) is the same for
every row, so `case_url(endpoint, case_id, **fixed)` builds it once per request with a number no case has and
puts each row's number in its place."""
from __future__ import annotations

from typing import Any

from flask import Flask, g, url_for

_PLACEHOLDER = 7_304_518_269_403_157  # never a case's id: only where it lands in the built link matters


def case_url(endpoint: str, case_id: int, **fixed: Any) -> str:
    """url_for(endpoint, case_id=case_id, **fixed), the same link, from a shape built once per request."""
    shapes: dict[tuple, tuple[str, str]] = g.setdefault("case_url_shapes", {})
    key = (endpoint, *sorted(fixed.items()))
    if (shape := shapes.get(key)) is None:
        head, _, tail = url_for(endpoint, case_id=_PLACEHOLDER, **fixed).partition(str(_PLACEHOLDER))
        shape = shapes[key] = (head, tail)
    return f"{shape[0]}{int(case_id)}{shape[1]}"


def init_app(app: Flask) -> None:
    app.add_template_global(case_url)
