"""Helpers for the catalogue's tests: the mesh admin form as a browser would submit it, and the
shipped fixture's rows as plain data."""

import json
from pathlib import Path

import pytest
from django import forms
from django.conf import settings

FIXTURE = Path(settings.BASE_DIR) / "fixtures/meshes.json"


def fixture_items() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


class MeshAdminForm:
    @staticmethod
    def url(mesh) -> str:
        from django.urls import reverse

        return reverse("admin:comparison_mesh_change", args=[mesh.pk])

    def form_data(self, client, mesh) -> dict:
        """The change form exactly as the browser would submit it, unchanged."""
        response = client.get(self.url(mesh))
        form = response.context["adminform"].form
        data = {}
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None:
                continue
            # What the widget shows is what the browser sends back (lines for the links, a
            # list for the checkboxes).
            value = field.prepare_value(value) if not isinstance(value, bool | list) else value
            if isinstance(field, forms.NullBooleanField):
                data[name] = "true" if value else "false"  # a yes/no/unknown select
                continue
            data[name] = "on" if value is True else value
            if value is False:
                data.pop(name)
        formset = response.context["inline_admin_formsets"][0].formset
        data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
        for i, sub in enumerate(formset.forms):
            data[f"{formset.prefix}-{i}-id"] = sub.instance.pk
            data[f"{formset.prefix}-{i}-mesh"] = mesh.pk
            for name in sub.fields:
                if name in ("id", "mesh"):
                    continue
                value = getattr(sub.instance, name)
                if value is True:
                    data[f"{formset.prefix}-{i}-{name}"] = "on"
                elif value is not False and value is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = value
        # The other inlines (overhead figures, former slugs) go along unchanged.
        for inline in response.context["inline_admin_formsets"][1:]:
            other = inline.formset
            data.update(
                {f"{other.prefix}-{k}": v for k, v in other.management_form.initial.items()}
            )
            for i, sub in enumerate(other.forms):
                for name, field in sub.fields.items():
                    value = sub.initial.get(name, field.initial)
                    if name == "id":
                        value = sub.instance.pk
                    elif name == "mesh":
                        value = mesh.pk
                    if value is not None:
                        data[f"{other.prefix}-{i}-{name}"] = value
        return data


@pytest.fixture
def mesh_admin():
    return MeshAdminForm()


class SiteServer:
    """A real HTTP server on a free local port, answering like the sites the checks visit.

    Paths: /ok (200), /moved (301 to /ok), /gone (404), /no-head (405 to HEAD, 200 to GET),
    /slow (200 after `slow_seconds`), /hang (never answers in time), /error (503), and any path
    registered in `documents` (200 with that body, e.g. a release feed).
    """

    def __init__(self) -> None:
        import http.server
        import threading

        self.documents: dict[str, tuple[str, bytes]] = {}
        self.requests: list[tuple[str, str, str, float]] = []  # method, path, user agent, time
        self.slow_seconds = 0.3
        self.hang_seconds = 5.0
        self.stop = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def answer(self, body: bool) -> None:
                import time

                server.requests.append(
                    (self.command, self.path, self.headers.get("User-Agent", ""), time.monotonic())
                )
                path = self.path.split("?")[0]
                if path == "/moved":
                    return self.reply(301, b"", {"Location": "/ok"}, body)
                if path == "/gone":
                    return self.reply(404, b"not here", {}, body)
                if path == "/error":
                    return self.reply(503, b"try later", {}, body)
                if path == "/no-head" and self.command == "HEAD":
                    return self.reply(405, b"", {}, body)
                if path == "/slow":
                    time.sleep(server.slow_seconds)
                if path == "/hang":
                    server.stop.wait(server.hang_seconds)
                if path in server.documents:
                    content_type, content = server.documents[path]
                    return self.reply(200, content, {"Content-Type": content_type}, body)
                if path in ("/ok", "/no-head", "/slow", "/hang"):
                    return self.reply(200, b"<html><body>fine</body></html>", {}, body)
                return self.reply(404, b"unknown", {}, body)

            def reply(self, status: int, content: bytes, headers: dict, body: bool) -> None:
                self.send_response(status)
                for name, value in {"Content-Length": str(len(content)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                if body:
                    self.wfile.write(content)

            def do_GET(self) -> None:
                self.answer(body=True)

            def do_HEAD(self) -> None:
                self.answer(body=False)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.origin + path

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site_server():
    server = SiteServer()
    yield server
    server.close()
