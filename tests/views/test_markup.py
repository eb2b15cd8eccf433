"""Page markup a screen reader and a phone rely on: every control labelled, ids unique, landmarks present."""
import re
from collections import Counter

from .helpers import fire, pdf, text_of

CONTROL = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)


def assert_accessible(html: str) -> None:
    assert '<html lang="id">' in html
    assert '<a class="skip-link" href="#isi">' in html and '<main id="isi"' in html
    assert "<header" in html and "<nav" in html and "<footer" in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    duplicated = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicated, duplicated
    labels = set(re.findall(r'<label for="([^"]+)"', html))
    for tag, attrs in CONTROL.findall(html):
        if 'type="hidden"' in attrs:
            continue
        match = re.search(r'\sid="([^"]+)"', attrs)
        assert match and match.group(1) in labels, f"unlabelled <{tag}{attrs}>"
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)  # no CDN, no web fonts


def test_pages_are_labelled_and_have_landmarks(web, login_as, office):
    assert_accessible(text_of(web.get("/masuk")))
    assert_accessible(text_of(web.get("/aduan-anonim")))
    assert_accessible(text_of(web.get("/lacak")))
    web = login_as(office.employee)
    for url in ("/", "/kasus/baru", "/kasus/baru/service_request", "/kasus/baru/service_request?layanan=cuti",
                "/kasus/baru/complaint", "/kasus/baru/mediation"):
        assert_accessible(text_of(web.get(url)))
    response = web.post_form("/kasus/baru/service_request", {
        "service": "kgb", "tmt_kgb_terakhir": "2024-04-01", "golongan": "III/a", "doc_skp": pdf()})
    case_url = response.headers["Location"]
    assert_accessible(text_of(web.get(case_url)))
    web.logout()
    web.login(office.officer)
    case_id = int(case_url.rsplit("/", 1)[1])
    fire(web, case_id, "start_verification")
    for url in (case_url, "/antrian", "/alur", "/alur/service_request"):
        assert_accessible(text_of(web.get(url)))
