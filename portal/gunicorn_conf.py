"""gunicorn settings from the environment: gunicorn -c portal/gunicorn_conf.py portal.wsgi"""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number") from None


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("WEB_THREADS", 1)
# A worker is replaced after this many requests, which bounds any slow growth in memory.
max_requests = _int("WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
timeout = _int("WEB_TIMEOUT", 30)
accesslog = os.environ.get("ACCESS_LOG") or None
