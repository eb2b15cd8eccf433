"""The workflow pictures drawn on the server (workflows/svg.py) and the /alur page that shows them."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from layani_flow.workflows import REGISTRY
from layani_flow.workflows.svg import _rows, workflow_svg

SVG = "{http://www.w3.org/2000/svg}"


def _texts(root: ET.Element) -> str:
    """All visible text of the picture, each <text> element's lines joined with spaces."""
    return "\n".join(" ".join(t.text or "" for t in text.iter(f"{SVG}tspan")) for text in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("case_type", sorted(REGISTRY))
def test_the_svg_is_well_formed_and_names_every_state_and_step_in_indonesian(case_type):
    workflow = REGISTRY[case_type]
    root = ET.fromstring(workflow_svg(workflow))  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == f"Diagram status {workflow.title}"
    assert root.get("aria-labelledby") == "diagram-judul diagram-uraian"
    shown = re.sub(r"\s+", " ", _texts(root))
    for label in workflow.states.values():
        assert label in shown, label
    for step in workflow.steps:
        assert step.label in shown, step.label
    for step in workflow.steps:  # the ids stay in the code
        assert not re.search(rf"\b{re.escape(step.trigger)}\b", shown), step.trigger
    for state in workflow.states:
        if state not in workflow.states.values():
            assert not re.search(rf"\b{re.escape(state)}\b", shown), state
    assert " style=" not in workflow_svg(workflow) and "<style" not in workflow_svg(workflow)  # CSP: no inline style


def test_every_step_has_an_arrow_and_final_states_share_the_last_row():
    workflow = REGISTRY["service_request"]
    root = ET.fromstring(workflow_svg(workflow))
    arrows = [p for p in root.iter(f"{SVG}path") if p.get("marker-end")]
    assert len(arrows) == len({(src, s.dest) for s in workflow.steps for src in s.sources})
    rows = _rows(workflow)
    assert rows["awaiting_superior"] < rows["submitted"] < rows["in_verification"] < rows["processing"]
    assert {rows[s] for s in workflow.final} == {max(rows.values())}
    assert rows["revision_requested"] > rows["in_verification"]  # a resubmission is drawn as a step back


def test_the_svg_is_small():
    for workflow in REGISTRY.values():
        assert len(workflow_svg(workflow).encode()) < 20_000


def test_the_page_shows_the_svg_and_the_steps_in_words_without_ids_or_scripts(login_as, office):
    web = login_as(office.officer)
    for case_type, workflow in REGISTRY.items():
        response = web.get(f"/alur/{case_type}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert len(response.data) < 40_000  # was 3.6 MB of mermaid
        assert "<script" not in html and "mermaid" not in html
        svg = html[html.index("<svg"):html.index("</svg>") + 6]
        ET.fromstring(svg)
        table = html[html.index("<table"):html.index("</table>")]
        for step in workflow.steps:
            assert step.label in table
            assert not re.search(rf"\b{re.escape(step.trigger)}\b", table), step.trigger
    html = web.get("/alur/service_request").get_data(as_text=True)
    table = html[html.index("<table"):html.index("</table>")]
    assert "Semua dokumen wajib harus sudah diverifikasi terlebih dahulu." in table  # a guard, in words
    assert "atasan pemohon" in table and "catatan wajib diisi" in table  # who, and what they must type
    assert "Pilih instansi tujuan" in table  # an input's own hint
    assert "Tidak ada syarat tambahan." in table
