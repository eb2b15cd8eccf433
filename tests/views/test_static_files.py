"""Static files: versioned URLs cached for a year, gzip for text assets only (never pages: BREACH), and a
favicon at /favicon.ico and in every page's head."""
from __future__ import annotations

import gzip
import hashlib
import re
import struct
from pathlib import Path

from layani_flow import static_files

from .helpers import text_of

STATIC = Path(static_files.__file__).parent / "static"


def _get(client, url: str, **kwargs):
    """GET a file and close the response (a static answer holds the file open until it is closed)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _css_url(html: str) -> str:
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)


def test_pages_link_the_stylesheet_and_the_favicon_with_their_content_version(client):
    html = text_of(client.get("/masuk"))
    version = hashlib.sha256((STATIC / "css" / "app.css").read_bytes()).hexdigest()[:12]
    assert _css_url(html) == f"/static/css/app.css?v={version}"
    svg_version = hashlib.sha256((STATIC / "favicon.svg").read_bytes()).hexdigest()[:12]
    assert f'<link rel="icon" href="/static/favicon.svg?v={svg_version}" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html


def test_a_versioned_file_is_immutable_for_a_year_and_gzipped(client):
    url = _css_url(text_of(client.get("/masuk")))
    response = _get(client, url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    raw = (STATIC / "css" / "app.css").read_bytes()
    assert gzip.decompress(response.data) == raw
    assert int(response.headers["Content-Length"]) == len(response.data) < len(raw) / 2
    plain = _get(client, url)  # a client that does not ask for gzip gets the file as it is
    assert "Content-Encoding" not in plain.headers and plain.data == raw


def test_an_old_or_missing_version_is_revalidated_not_kept_blindly(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = _get(client, url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
        etag = response.headers["ETag"]
        again = _get(client, url, headers={"If-None-Match": etag})
        assert again.status_code == 304


def test_pages_and_the_api_are_never_compressed_nor_cached(client, login_as, office, api):
    page = client.get("/masuk", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in page.headers and page.headers["Cache-Control"] == "no-store"
    home = login_as(office.employee).client.get("/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in home.headers and home.headers["Cache-Control"] == "no-store"
    answer = api(office.employee).get("/api/v1/case-types", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in answer.headers


def test_the_favicon_is_a_real_icon_and_an_svg(client):
    response = _get(client, "/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    reserved, kind, count = struct.unpack("<HHH", response.data[:6])
    assert (reserved, kind, count) == (0, 1, 1)
    width, height, _, _, _, _, size, offset = struct.unpack("<BBBBHHII", response.data[6:22])
    assert (width, height) == (32, 32) and response.data[offset:offset + 8] == b"\x89PNG\r\n\x1a\n"
    assert offset + size == len(response.data)
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    svg = _get(client, "/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<title>LAYANI</title>" in svg.data


def test_a_missing_static_file_is_an_ordinary_404(client):
    response = _get(client, "/static/tidak-ada.css")
    assert response.status_code == 404
