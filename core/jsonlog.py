"""Log records as one JSON object per line (LOG_FORMAT=json), for log collectors.

No Django import here: gunicorn's master process uses this formatter before Django is set up.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging

# The id of the request being handled, added to every record logged while it is handled.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None
)
# LogRecord attributes that every record has; anything else was passed in `extra=` and is kept.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id:
            entry["request_id"] = request_id
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(log_format: str, level: str = "INFO", *, gunicorn: bool = False) -> dict:
    """The one logging set-up: Django's LOGGING, and gunicorn's logconfig_dict (which adds its
    own two loggers) when LOG_FORMAT is json."""
    handler: dict[str, str] = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    if log_format == "json":
        handler["formatter"] = "json"
    config: dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.jsonlog.JsonFormatter"}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
    }
    if gunicorn:
        config["loggers"] = {
            name: {"handlers": ["console"], "level": "INFO", "propagate": False}
            for name in ("gunicorn.error", "gunicorn.access")
        }
    return config
