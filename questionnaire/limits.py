"""How many new stored results one client address may create: each is a permanent row."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited


def results_rate(group: str, request: HttpRequest) -> str:
    return f"{settings.QUESTIONNAIRE_RESULTS_PER_HOUR}/h"


def may_store_result(request: HttpRequest) -> bool:
    """Count one new result for the client; False once it has reached the hourly limit.

    django-ratelimit counts per client address (core.client_ip, TRUSTED_PROXY_COUNT) in the
    rate-limit cache, which keeps counting in each worker while the shared cache is down
    (core.caching.FailSoftCache), as the API's and the suggestions' limits do.
    """
    return not is_ratelimited(
        request, group="questionnaire-results", key="ip", rate=results_rate, increment=True
    )
