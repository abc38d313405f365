"""Calls to other services carry the request id of the request being served (X-Request-ID): one id
follows a request through the gateway and every service it reaches, in each one's logs and answers.

Installed as an httpx request hook on the app's shared client (service_kit.app.start_runtime), so
every typed client in a service's clients/ folder passes it on without a word about it."""

from __future__ import annotations

import httpx

from service_kit.logs import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"


async def _pass_request_id(request: httpx.Request) -> None:
    request_id = request_id_var.get()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


def pass_request_id(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Make `client` send the current request's id with each call made while serving a request (calls
    from background work, outside any request, go without one)."""
    hooks = client.event_hooks
    if _pass_request_id not in hooks["request"]:
        client.event_hooks = {**hooks, "request": [*hooks["request"], _pass_request_id]}
    return client
