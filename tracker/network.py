"""Who is asking: the client's address, seen through the proxies the settings declare."""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str | None:
    """The address of the client, PROXY_COUNT proxies in front of the server.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the
    client is the PROXY_COUNT-th entry from the right; anything further left is whatever the
    client itself sent and is not believed. With one proxy (nginx), a request carrying a
    forged "X-Forwarded-For: 1.2.3.4" reaches the server with "1.2.3.4, <client>", and the
    client is <client>. Without proxies, or when the header is shorter than the proxy chain
    (a request that bypassed it), the connection's own address is the client.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < count:
        return remote
    return forwarded[-count][:45] or remote
