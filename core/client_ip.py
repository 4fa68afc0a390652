"""The client's address, also behind reverse proxies (settings.TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent this request.

    Without trusted proxies it is the socket's peer. Behind N of them, each appends the address it
    received the request from to X-Forwarded-For, so the client is the Nth entry from the right;
    entries further left were sent by the client itself and prove nothing. A request with fewer
    entries did not pass all the proxies, and its peer address is used.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return peer
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer
