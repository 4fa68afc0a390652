"""comparison/feeds.py: the changes feed, plain text with absolute links from SITE_URL."""

import xml.etree.ElementTree as ET

from comparison.models import Level, Support

ATOM = "{http://www.w3.org/2005/Atom}"


def change_a_level(note: str) -> None:
    cell = Support.objects.get(mesh__slug="linkerd", feature__slug="grpc")
    cell.level = Level.PARTIAL if cell.level != Level.PARTIAL else Level.YES
    cell.note = note
    cell.source = cell.source or "https://example.org/source"
    cell.save()


def test_feed_summary_is_text_not_html(client, db):
    change_a_level("<script>alert(1)</script> & <b>bold</b>")
    root = ET.fromstring(client.get("/changes/feed/").content)
    summary = root.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "text"
    assert "<script>alert(1)</script> & <b>bold</b>" in summary.text


def test_feed_links_come_from_site_url_not_host(client, db, settings):
    settings.SITE_URL = "https://meshes.example.org"
    settings.ALLOWED_HOSTS = ["meshes.example.org", "localhost"]
    change_a_level("A change.")
    feed = client.get("/changes/feed/", HTTP_HOST="localhost:9999").content.decode()
    assert "localhost" not in feed
    root = ET.fromstring(feed)
    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert links and all(href.startswith("https://meshes.example.org/") for href in links)
    assert root.find(f"{ATOM}id").text.startswith("https://meshes.example.org/")
