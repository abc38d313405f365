"""Alternative upstream clients for the bench, behind the same ProxyApp front.

Only the client differs between variants: routing, header handling and the ASGI front are the
gateway's own, so the bench isolates what the client costs. ``lean`` is the gateway's default
(:class:`gateway.proxy.upstream.UpstreamPool`); these two are what it was chosen over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from gateway.proxy import ProxySettings, UpstreamConnectError, UpstreamProtocolError, UpstreamTimeout
from gateway.proxy.app import lean_transport


class _AiohttpResponse:
    def __init__(self, response) -> None:
        self._response = response
        self.status = response.status
        self.headers = [(name.lower(), value) for name, value in response.raw_headers]

    @property
    def done(self) -> bool:
        return self._response.content.at_eof()

    async def read(self) -> bytes:
        import aiohttp

        try:
            return await self._response.content.readany()
        except TimeoutError:
            raise UpstreamTimeout("upstream stopped sending") from None
        except aiohttp.ClientError as exc:
            raise UpstreamProtocolError(f"upstream failed: {type(exc).__name__}") from None

    def close(self) -> None:
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


class AiohttpUpstream:
    """aiohttp.ClientSession with a tuned TCPConnector (keep-alive, DNS cache, no cookies)."""

    def __init__(self, name: str, base_url: str, label: str, settings: ProxySettings) -> None:
        self.name, self.label, self.base_url, self.settings = name, label, base_url.rstrip("/"), settings
        self._session = None

    async def start(self) -> None:
        import aiohttp

        s = self.settings
        connector = aiohttp.TCPConnector(
            limit=s.max_connections,
            limit_per_host=0,
            keepalive_timeout=s.idle_timeout,
            ttl_dns_cache=300,
            use_dns_cache=True,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, connect=s.connect_timeout, sock_read=s.timeout),
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def request(self, method: bytes, target: bytes, headers: Sequence[tuple[bytes, bytes]], body: bytes = b""):
        import aiohttp
        from yarl import URL

        url = URL(self.base_url + target.decode("latin-1"), encoded=True)
        try:
            response = await self._session.request(
                method.decode(),
                url,
                headers=[(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers],
                data=body or None,
                allow_redirects=False,
            )
        except TimeoutError:
            raise UpstreamTimeout(f"{self.label} did not answer within {self.settings.timeout:g} s") from None
        except aiohttp.ClientConnectorError:
            raise UpstreamConnectError(f"{self.label} could not be reached") from None
        except aiohttp.ClientError as exc:
            raise UpstreamProtocolError(f"{self.label} failed: {type(exc).__name__}") from None
        return _AiohttpResponse(response)


_PENDING: set[asyncio.Future] = set()


class _HttpxResponse:
    def __init__(self, response) -> None:
        self._response = response
        self.status = response.status_code
        self.headers = [(name.lower(), value) for name, value in response.headers.raw]
        self._iter = response.aiter_raw()
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    async def read(self) -> bytes:
        import httpx

        try:
            chunk = await self._iter.__anext__()
        except StopAsyncIteration:
            self._done = True
            return b""
        except httpx.TimeoutException:
            raise UpstreamTimeout("upstream stopped sending") from None
        except httpx.HTTPError as exc:
            raise UpstreamProtocolError(f"upstream failed: {type(exc).__name__}") from None
        length = self._response.headers.get("content-length")
        if length is not None and self._response.num_bytes_downloaded >= int(length):
            self._done = True
        return chunk

    def close(self) -> None:
        task = asyncio.ensure_future(self._response.aclose())
        _PENDING.add(task)
        task.add_done_callback(_PENDING.discard)


class HttpxUpstream:
    """httpx.AsyncClient with keep-alive limits, as the services use for their own calls."""

    def __init__(self, name: str, base_url: str, label: str, settings: ProxySettings) -> None:
        self.name, self.label, self.base_url, self.settings = name, label, base_url.rstrip("/"), settings
        self._client = None

    async def start(self) -> None:
        import httpx

        s = self.settings
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(s.timeout, connect=s.connect_timeout),
            limits=httpx.Limits(
                max_connections=s.max_connections,
                max_keepalive_connections=s.max_connections,
                keepalive_expiry=s.idle_timeout,
            ),
            follow_redirects=False,
            trust_env=False,
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def request(self, method: bytes, target: bytes, headers: Sequence[tuple[bytes, bytes]], body: bytes = b""):
        import httpx

        request = self._client.build_request(
            method.decode(), self.base_url + target.decode("latin-1"), headers=list(headers), content=body or None
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.ConnectError:
            raise UpstreamConnectError(f"{self.label} could not be reached") from None
        except httpx.TimeoutException:
            raise UpstreamTimeout(f"{self.label} did not answer within {self.settings.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise UpstreamProtocolError(f"{self.label} failed: {type(exc).__name__}") from None
        return _HttpxResponse(response)


TRANSPORTS = {
    "lean": lean_transport,
    "aiohttp": AiohttpUpstream,
    "httpx": HttpxUpstream,
}
