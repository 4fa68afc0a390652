"""gunicorn settings from the environment: gunicorn -c portal/gunicorn_conf.py portal.wsgi"""

import os
import tempfile


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number") from None


# One address or several, comma-separated (the chart adds a metrics address beside the loopback
# one nginx forwards to).
bind = [
    part.strip() for part in os.environ.get("BIND", "127.0.0.1:8000").split(",") if part.strip()
]
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("WEB_THREADS", 1)
# A worker is replaced after this many requests, which bounds any slow growth in memory.
max_requests = _int("WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
timeout = _int("WEB_TIMEOUT", 30)
accesslog = os.environ.get("ACCESS_LOG") or None
# The workers' metrics meet in one directory, which /metrics adds up. It must be set before any
# worker imports prometheus_client, and start empty: values from a previous run would count again.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portal-metrics-")
_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]

if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    from core.jsonlog import logging_config

    logconfig_dict = logging_config("json", gunicorn=True)


def on_starting(server) -> None:
    os.makedirs(_metrics_dir, exist_ok=True)
    for entry in os.listdir(_metrics_dir):
        if entry.endswith(".db"):  # prometheus_client's files only, whatever else is there
            os.remove(os.path.join(_metrics_dir, entry))


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
