"""Compression: negotiated by Accept-Encoding, revalidated with weak ETags, never with secrets."""

import gzip
import json
import re

import brotli
import pytest

from core.compression import preferred_encoding


def without_timestamps(body: bytes) -> bytes:
    return re.sub(rb"<updated>[^<]*</updated>", b"", body)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0.8, br;q=0.5", "gzip"),
        ("*", "br"),
        ("*;q=0, gzip", "gzip"),
        ("identity", None),
        ("", None),
        ("br;q=nonsense", None),
        ("deflate", None),
    ],
)
def test_encoding_follows_accept_encoding(header, expected):
    assert preferred_encoding(header) == expected


def test_cached_page_is_served_in_each_accepted_encoding(client, db, page_cache):
    plain = client.get("/")
    brotli_page = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    gzip_page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain
    assert brotli_page["Content-Encoding"] == "br" and gzip_page["Content-Encoding"] == "gzip"
    assert brotli.decompress(brotli_page.content) == plain.content
    assert gzip.decompress(gzip_page.content) == plain.content
    assert len(brotli_page.content) < len(plain.content) // 5
    assert int(brotli_page["Content-Length"]) == len(brotli_page.content)
    for response in (plain, brotli_page, gzip_page):
        assert "Accept-Encoding" in response["Vary"]
    # The compressed bytes are not the ones the strong ETag names: it is weakened, as Django's
    # GZipMiddleware does, and each representation revalidates with the ETag it was given.
    assert brotli_page["ETag"] == gzip_page["ETag"] == f"W/{plain['ETag']}"
    for response, encoding in ((plain, ""), (brotli_page, "br"), (gzip_page, "gzip")):
        headers = {"Accept-Encoding": encoding, "If-None-Match": response["ETag"]}
        again = client.get("/", headers=headers)
        assert again.status_code == 304
        assert "Accept-Encoding" in again["Vary"]
    stale = client.get("/", headers={"Accept-Encoding": "br", "If-None-Match": '"older"'})
    assert stale.status_code == 200


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/api/meshes.json", "application/json"),
        ("/export/meshes.csv", "text/csv"),
        ("/changes/feed/", "application/atom+xml"),
        ("/overview/", "text/html"),
    ],
)
@pytest.mark.parametrize("cached", [True, False])
def test_json_csv_atom_and_html_are_compressed(client, db, settings, url, content_type, cached):
    settings.PAGE_CACHE = cached
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="br")
    assert packed["Content-Type"].startswith(content_type)
    assert packed["Content-Encoding"] == "br"
    # Uncached, the feed says when it was generated: leave that out of the comparison.
    assert without_timestamps(brotli.decompress(packed.content)) == without_timestamps(
        plain.content
    )
    assert "Accept-Encoding" in packed["Vary"]


def test_api_errors_are_compressed_too(client, db):
    # The error repeats the bad value, so it is long enough to be worth compressing.
    response = client.get(
        f"/api/meshes.json?maturity={'nonsense' * 40}", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 400
    assert response["Content-Encoding"] == "gzip"
    assert "maturity" in json.loads(gzip.decompress(response.content))["errors"]


@pytest.mark.parametrize("url", ["/questionnaire/", "/admin/login/"])
def test_pages_with_a_csrf_token_are_not_compressed(client, db, url):
    # BREACH: no compressed body ever holds the CSRF token.
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


def test_session_dependent_pages_are_not_compressed(wizard, db):
    wizard.post(0, wizard.GATE_YES)
    response = wizard.client.get("/questionnaire/?step=1", HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200 and "Content-Encoding" not in response


def test_tiny_and_binary_responses_are_left_alone(client, db):
    assert "Content-Encoding" not in client.get("/healthz", HTTP_ACCEPT_ENCODING="br")
    favicon = client.get("/static/favicon.svg", HTTP_ACCEPT_ENCODING="br")
    assert favicon.get("Content-Encoding") != "br" or favicon.streaming
