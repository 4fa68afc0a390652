"""Prometheus metrics (off and private by default), JSON request logs, the operations endpoints."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from core import caching
from core.jsonlog import JsonFormatter


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text output (0 when it is not there)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        metric, _, value = line.rpartition(" ")
        if metric.split("{", 1)[0] != name:
            continue
        found = dict(
            part.split("=", 1) for part in metric.partition("{")[2].rstrip("}").split(",") if part
        )
        if all(found.get(key) == f'"{wanted}"' for key, wanted in labels.items()):
            return float(value)
    return 0.0


def test_metrics_are_off_by_default(client, db):
    assert client.get("/metrics").status_code == 404


def test_metrics_count_requests_by_view_and_status(client, db, metrics_on):
    before = client.get("/metrics").content.decode()
    client.get("/meshes/linkerd/")
    client.get("/meshes/no-such-mesh/")
    client.get("/api/meshes.json?maturity=nonsense")
    text = client.get("/metrics").content.decode()
    for view, status in [
        ("comparison:mesh-detail", "200"),
        ("comparison:mesh-detail", "404"),
        ("comparison:api-meshes", "400"),
    ]:
        labels = {"view": view, "method": "GET", "status": status}
        assert sample(text, "portal_http_requests_total", **labels) == (
            sample(before, "portal_http_requests_total", **labels) + 1
        )
    assert (
        sample(text, "portal_http_request_duration_seconds_count", view="comparison:mesh-detail")
        >= 2
    )
    assert (
        'portal_http_request_duration_seconds_bucket{le="0.1",view="comparison:mesh-detail"}'
        in text
    )
    assert sample(text, "portal_data_version") == float(caching.data_version())


def test_metrics_count_page_cache_hits_and_misses(client, db, metrics_on, settings):
    settings.PAGE_CACHE = True
    cache.clear()
    before = client.get("/metrics").content.decode()
    client.get("/overview/")
    client.get("/overview/")
    client.get("/overview/", headers={"Cookie": "theme=dark"})
    text = client.get("/metrics").content.decode()
    for result, count in (("miss", 1), ("hit", 2)):
        assert sample(text, "portal_page_cache_lookups_total", result=result) == (
            sample(before, "portal_page_cache_lookups_total", result=result) + count
        )


def test_metrics_count_questionnaire_completions(wizard, db, metrics_on):
    before = sample(
        wizard.client.get("/metrics").content.decode(), "portal_questionnaire_completions_total"
    )
    wizard.complete()
    after = sample(
        wizard.client.get("/metrics").content.decode(), "portal_questionnaire_completions_total"
    )
    assert after == before + 1


@pytest.mark.parametrize(
    "headers",
    [
        {"REMOTE_ADDR": "203.0.113.7"},
        {"HTTP_X_FORWARDED_FOR": "203.0.113.7"},
        {"HTTP_FORWARDED": "for=203.0.113.7"},
    ],
)
def test_metrics_refuse_other_networks_and_proxied_requests(client, db, metrics_on, headers):
    assert client.get("/metrics", **headers).status_code == 404


def test_metrics_allow_configured_networks(client, db, metrics_on, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is no longer in the list


def test_bad_metrics_network_stops_start_up():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=django_settings.BASE_DIR,
        env={**env, "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,intranet"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "METRICS_ALLOWED_NETWORKS" in result.stderr


def test_healthz_answers_probes_by_address_over_http(client, db, settings):
    # Kubernetes probes use the pod's IP as Host and plain HTTP.
    settings.ALLOWED_HOSTS = ["meshes.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.42.0.17:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.42.0.17:8000").status_code == 400


def test_every_response_carries_a_request_id(client, db):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\ny" + "z" * 80)["X-Request-ID"]
    assert forged != "x\ny" + "z" * 80 and len(forged) == 32


def test_json_log_line_per_request(client, db, settings, caplog):
    settings.LOG_FORMAT = "json"
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        client.get("/meshes/linkerd/", HTTP_X_REQUEST_ID="req-42")
    (record,) = [r for r in caplog.records if r.name == "portal.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET" and line["path"] == "/meshes/linkerd/"
    assert line["status"] == 200 and line["request_id"] == "req-42"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_no_request_lines_with_text_logs(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        client.get("/healthz")
    assert not [r for r in caplog.records if r.name == "portal.requests"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_workers_share_metrics_and_log_json(tmp_path: Path):
    """Two gunicorn workers: /metrics adds up what every worker counted (whichever answers the
    scrape), and every request is one JSON log line."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "PROMETHEUS_MULTIPROC_DIR"}},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # /healthz needs no tables
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "METRICS_ENABLED": "true",
        "LOG_FORMAT": "json",
    }
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn_conf.py", "portal.wsgi"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        origin = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(origin + "/healthz", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        for _ in range(30):
            urllib.request.urlopen(origin + "/healthz", timeout=5).read()
        text = urllib.request.urlopen(origin + "/metrics", timeout=5).read().decode()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    log.seek(0)
    lines = [json.loads(line) for line in log if line.startswith("{")]
    requests = [line for line in lines if line.get("logger") == "portal.requests"]
    health_checks = [line for line in requests if line["path"] == "/healthz"]
    # At least the 31 that answered in time (a start-up probe may have timed out client-side but
    # still been answered); the scrape counts exactly what the workers logged, whichever answered.
    assert len(health_checks) >= 31
    labels = {"view": "healthz", "method": "GET", "status": "200"}
    assert sample(text, "portal_http_requests_total", **labels) == len(health_checks)
    assert len({line["request_id"] for line in requests}) == len(requests)
    assert {line["path"] for line in requests} == {"/healthz", "/metrics"}
    assert all(line["status"] == 200 and line["method"] == "GET" for line in requests)
