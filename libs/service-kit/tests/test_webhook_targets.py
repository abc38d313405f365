"""Webhook URLs in production, tried as the subscriber who would gain by reaching inside the
platform's network: every non-public range is refused at subscription and at every delivery, the
delivery connects to the address that was checked, and what a failed delivery records tells the
subscriber nothing about the inside.

No test here sends traffic anywhere: the resolver is replaced to answer with each range, deliveries
go to an in-memory transport, and any real name lookup fails the test."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from service_kit.events import urls
from service_kit.events.dispatcher import WebhookDispatcher
from tests.conftest import infra

HOST = "hooks.city-partner.example.com"


class Resolver:
    """Answers a name with the addresses given (one list per call; the last one repeats)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        return self.answers[min(len(self.calls), len(self.answers)) - 1]


@pytest.fixture(autouse=True)
def no_real_lookups(monkeypatch):
    """A name lookup that reaches the system resolver would be traffic: fail instead."""

    async def refuse(self, host, *args, **kwargs):
        raise AssertionError(f"a real name lookup for {host!r} in a test")

    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "getaddrinfo", refuse)


@pytest.fixture
def production(app):
    app.state.settings.allow_private_webhook_urls = False
    return app


def answer(monkeypatch, *answers: list[str]) -> Resolver:
    resolver = Resolver(*answers)
    monkeypatch.setattr(urls, "resolver", resolver)
    return resolver


async def subscribe(client, auth, url: str, **headers):
    return await client.post(
        "/api/v1/webhooks", json={"url": url, "event_types": ["note.*"]}, headers=auth(**headers) if headers else auth()
    )


# Every answer a name may resolve to that must not receive a webhook.
NOT_PUBLIC = [
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.10",
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "169.254.10.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # CGNAT
    "100.127.255.254",
    "100.100.100.200",  # Alibaba Cloud metadata (in CGNAT)
    "168.63.129.16",  # Azure wire server: a public address, but the platform's own
    "192.0.0.192",
    "192.0.2.1",
    "198.18.0.1",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.251",  # multicast
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.88.99.1",  # 6to4 relay anycast
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "ff02::1",
    "2001:db8::1",
    "100::1",
    # IPv6 carrying an IPv4 address, judged by the address carried
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::6440:1",  # NAT64 of 100.64.0.1
    "64:ff9b:1::808:808",  # local-use NAT64: never public
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001:0:808:808:0:0:80ff:fffe",  # Teredo, client 127.0.0.1
    "2001:0:a00:1::1",  # Teredo, server 10.0.0.1
]


class TestSubscribing:
    @pytest.mark.parametrize("address", NOT_PUBLIC)
    async def test_a_name_resolving_inside_is_refused(self, client, auth, production, monkeypatch, address):
        answer(monkeypatch, [address])
        resp = await subscribe(client, auth, f"https://{HOST}/hooks")
        assert resp.status_code == 422, resp.text
        error = resp.json()["errors"][0]
        assert error["field"] == "url" and error["code"] == "webhook-url-private"
        assert address not in resp.text, "the refusal must not say where the name points"
        assert (await client.get("/api/v1/webhooks", headers=auth())).json() == []

    @pytest.mark.parametrize(
        "address", ["127.0.0.1", "169.254.169.254", "::ffff:7f00:1", "64:ff9b::a9fe:a9fe", "100.64.0.1"]
    )
    async def test_an_address_written_in_the_url_is_refused(self, client, auth, production, monkeypatch, address):
        resolver = answer(monkeypatch, ["8.8.8.8"])
        host = f"[{address}]" if ":" in address else address
        resp = await subscribe(client, auth, f"http://{host}/latest/meta-data/")
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "webhook-url-private"
        assert resolver.calls == []

    async def test_one_inside_address_among_public_ones_is_enough_to_refuse(
        self, client, auth, production, monkeypatch
    ):
        answer(monkeypatch, ["8.8.8.8", "2606:4700:4700::1111", "10.0.0.7"])
        assert (await subscribe(client, auth, f"https://{HOST}/hooks")).status_code == 422

    @pytest.mark.parametrize(
        "host",
        [
            "metadata.google.internal",
            "METADATA.GOOGLE.INTERNAL.",
            "metadata",
            "instance-data",
            "localhost",
            "api.localhost",
            "printer.local",
            "db.internal",
            "router.home.arpa",
            "facilities-api",
            "postgres",
        ],
    )
    async def test_names_that_exist_only_inside_are_refused_without_asking_dns(
        self, client, auth, production, monkeypatch, host
    ):
        resolver = answer(monkeypatch, ["8.8.8.8"])  # even if DNS would say public
        resp = await subscribe(client, auth, f"http://{host}/computeMetadata/v1/")
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "webhook-url-private"
        assert resolver.calls == []

    async def test_a_name_that_does_not_resolve_says_the_same_as_an_inside_one(
        self, client, auth, production, monkeypatch
    ):
        async def nxdomain(host, port):
            raise OSError("Name or service not known")

        monkeypatch.setattr(urls, "resolver", nxdomain)
        missing = await subscribe(client, auth, f"https://{HOST}/hooks")
        answer(monkeypatch, ["10.0.0.1"])
        inside = await subscribe(client, auth, f"https://{HOST}/hooks")
        assert missing.status_code == inside.status_code == 422
        assert missing.json()["errors"] == inside.json()["errors"]

    @pytest.mark.parametrize(
        "address", ["8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]
    )
    async def test_public_addresses_are_accepted(self, client, auth, production, monkeypatch, address):
        answer(monkeypatch, [address])
        resp = await subscribe(client, auth, f"https://{HOST}/hooks")
        assert resp.status_code == 201, resp.text

    async def test_changing_the_url_is_checked_too(self, client, auth, production, monkeypatch):
        answer(monkeypatch, ["8.8.8.8"], ["169.254.169.254"])
        created = (await subscribe(client, auth, f"https://{HOST}/hooks")).json()
        resp = await client.patch(
            f"/api/v1/webhooks/{created['id']}", json={"url": "https://other.example.com/x"}, headers=auth()
        )
        assert resp.status_code == 422
        kept = (await client.get(f"/api/v1/webhooks/{created['id']}", headers=auth())).json()
        assert kept["url"] == f"https://{HOST}/hooks"


class Recorder:
    """An in-memory transport: records each request and answers as told (nothing leaves the process)."""

    def __init__(self, reply=None) -> None:
        self.requests: list[httpx.Request] = []
        self.reply = reply or (lambda request: httpx.Response(204))

    def client(self) -> httpx.AsyncClient:
        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return self.reply(request)

        return httpx.AsyncClient(transport=httpx.MockTransport(handle))


async def _dispatch(app, sessionmaker, recorder: Recorder) -> int:
    async with recorder.client() as http:
        dispatcher = WebhookDispatcher(
            sessionmaker=sessionmaker,
            infra=infra,
            source="kit-test",
            http=http,
            allow_private=bool(app.state.settings.allow_private_webhook_urls),
            timeout_s=2,
        )
        return await dispatcher.dispatch_once()


async def _note(client, auth, text: str) -> None:
    assert (await client.post("/api/v1/notes", json={"text": text}, headers=auth())).status_code == 201


class TestDelivering:
    async def test_the_delivery_connects_to_the_address_that_was_checked(
        self, client, auth, production, sessionmaker, monkeypatch
    ):
        resolver = answer(monkeypatch, ["8.8.8.8"], ["8.8.4.4"], ["127.0.0.1"])
        created = (await subscribe(client, auth, f"https://{HOST}:8443/hooks/in?k=1")).json()
        await _note(client, auth, "pinned")
        recorder = Recorder()
        assert await _dispatch(production, sessionmaker, recorder) == 1
        assert len(resolver.calls) == 2, "resolved once at subscription and once for the delivery"
        (request,) = recorder.requests
        assert request.url.host == "8.8.4.4", "the connection goes to the address the check judged"
        assert (request.url.scheme, request.url.port, request.url.path, request.url.query) == (
            "https",
            8443,
            "/hooks/in",
            b"k=1",
        )
        assert request.headers["host"] == f"{HOST}:8443"
        assert request.extensions["sni_hostname"] == HOST, "TLS names the host and checks its certificate"
        deliveries = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=auth())).json()
        assert deliveries[0]["succeeded"] is True

    async def test_a_name_that_turns_inside_after_subscribing_gets_nothing(
        self, client, auth, production, sessionmaker, monkeypatch
    ):
        answer(monkeypatch, ["8.8.8.8"], ["169.254.169.254"])
        created = (await subscribe(client, auth, f"http://{HOST}/hooks")).json()
        await _note(client, auth, "rebound")
        recorder = Recorder()
        assert await _dispatch(production, sessionmaker, recorder) == 0
        assert recorder.requests == [], "nothing is sent to the inside"
        record = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=auth())).json()[0]
        assert record["succeeded"] is False and record["status_code"] is None
        assert record["error"] == f"refused: {HOST} does not resolve to a public address."
        state = (await client.get(f"/api/v1/webhooks/{created['id']}", headers=auth())).json()
        assert state["last_status"] is None and "169.254" not in (state["last_error"] or "")

    async def test_a_failed_connection_is_recorded_without_its_internals(
        self, client, auth, production, sessionmaker, monkeypatch
    ):
        answer(monkeypatch, ["8.8.8.8"])
        created = (await subscribe(client, auth, f"http://{HOST}/hooks")).json()
        await _note(client, auth, "unreachable")

        def refuse(request):
            raise httpx.ConnectError("[Errno 111] Connect call failed ('8.8.8.8', 80)", request=request)

        assert await _dispatch(production, sessionmaker, Recorder(refuse)) == 0
        record = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=auth())).json()[0]
        assert record["error"] == "could not connect" and record["status_code"] is None

    async def test_a_redirect_is_not_followed(self, client, auth, production, sessionmaker, monkeypatch):
        answer(monkeypatch, ["8.8.8.8"])
        created = (await subscribe(client, auth, f"http://{HOST}/hooks")).json()
        await _note(client, auth, "moved")
        recorder = Recorder(lambda request: httpx.Response(302, headers={"location": "http://169.254.169.254/latest"}))
        assert await _dispatch(production, sessionmaker, recorder) == 0
        assert len(recorder.requests) == 1
        record = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=auth())).json()[0]
        assert (record["status_code"], record["error"]) == (302, "answered 302")


def test_the_check_judges_embedded_addresses_both_ways():
    assert urls.refusal(urls.ipaddress.ip_address("64:ff9b::808:808")) is None
    assert "loopback" in urls.refusal(urls.ipaddress.ip_address("64:ff9b::7f00:1"))
    assert urls.refusal(urls.ipaddress.ip_address("2002:808:808::")) is None
    assert "metadata" in urls.refusal(urls.ipaddress.ip_address("::ffff:169.254.169.254"))


def _tls_material(tmp_path, name: str):
    """A CA, and a certificate for `name` only (not for 127.0.0.1) that it signed."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def cert(subject: str, key, issuer: str, issuer_key, *, ca: bool, san: str | None = None):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
            ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False
            ).add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = cert("culture-ops test CA", ca_key, "culture-ops test CA", ca_key, ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = cert(name, leaf_key, "culture-ops test CA", ca_key, ca=False, san=name)
    ca_pem, chain = tmp_path / "ca.pem", tmp_path / "leaf.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_pem, chain


class TestTlsOnThePinnedAddress:
    """A real HTTPS subscriber on loopback (allowed in development): the delivery connects to the
    checked address, yet TLS carries the URL's name and the certificate is checked against it."""

    async def _deliver(self, client, auth, app, sessionmaker, tmp_path, monkeypatch, cert_name: str):
        import http.server
        import ssl
        import threading

        ca_pem, chain = _tls_material(tmp_path, cert_name)
        seen: list[tuple[str | None, str]] = []
        sni: list[str | None] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                seen.append((sni[-1] if sni else None, self.headers["host"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(chain)
        server_ctx.sni_callback = lambda sock, name, ctx: sni.append(name)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            answer(monkeypatch, ["127.0.0.1"])
            port = server.server_address[1]
            created = (await subscribe(client, auth, f"https://{HOST}:{port}/hooks")).json()
            await _note(client, auth, f"tls for {cert_name}")
            client_ctx = ssl.create_default_context(cafile=str(ca_pem))
            async with httpx.AsyncClient(verify=client_ctx, trust_env=False) as http:
                dispatcher = WebhookDispatcher(
                    sessionmaker=sessionmaker,
                    infra=infra,
                    source="kit-test",
                    http=http,
                    allow_private=True,
                    timeout_s=5,
                )
                delivered = await dispatcher.dispatch_once()
            record = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=auth())).json()[0]
            return delivered, record, seen, port
        finally:
            server.shutdown()
            server.server_close()

    async def test_sni_and_certificate_name_the_host(self, client, auth, app, sessionmaker, tmp_path, monkeypatch):
        delivered, record, seen, port = await self._deliver(
            client, auth, app, sessionmaker, tmp_path, monkeypatch, HOST
        )
        assert delivered == 1 and record["succeeded"] is True, record
        assert seen == [(HOST, f"{HOST}:{port}")]

    async def test_a_certificate_for_another_name_is_refused(
        self, client, auth, app, sessionmaker, tmp_path, monkeypatch
    ):
        delivered, record, seen, _ = await self._deliver(
            client, auth, app, sessionmaker, tmp_path, monkeypatch, "someone-else.example.org"
        )
        assert delivered == 0 and seen == []
        assert record["error"] == "TLS handshake or certificate check failed" and record["status_code"] is None
