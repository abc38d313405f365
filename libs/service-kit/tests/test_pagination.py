import pytest

from service_kit.pagination import decode_cursor, encode_cursor
from service_kit.problems import RuleViolation


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor(42, "2026-01-01"), 2) == [42, "2026-01-01"]


@pytest.mark.parametrize("bad", ["%%%", "bm90IGpzb24", encode_cursor(1, 2, 3)])
def test_foreign_cursor_is_a_rule_violation(bad):
    with pytest.raises(RuleViolation):
        decode_cursor(bad, 2)


@pytest.mark.parametrize("bad", [encode_cursor("x"), encode_cursor(10**30), encode_cursor(True), encode_cursor(-1)])
def test_id_cursor_refuses_what_is_not_a_bounded_id(bad):
    from service_kit.pagination import decode_id_cursor

    with pytest.raises(RuleViolation):
        decode_id_cursor(bad)


def test_id_cursor_round_trip():
    from service_kit.pagination import decode_id_cursor

    assert decode_id_cursor(encode_cursor(7)) == 7
    assert decode_id_cursor(None) is None


def test_public_url_names_the_gateway_origin():
    from starlette.requests import Request

    from service_kit.urls import public_url

    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("10.0.0.5", 8002),
        "path": "/api/v1/ocds/releases",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"10.0.0.5:8002"),
            (b"x-forwarded-host", b"culture.example.gov.cn"),
            (b"x-forwarded-proto", b"https"),
        ],
    }
    assert public_url(Request(scope)) == "https://culture.example.gov.cn/api/v1/ocds/releases"
    scope["headers"] = [(b"host", b"127.0.0.1:8002")]
    assert public_url(Request(scope)) == "http://127.0.0.1:8002/api/v1/ocds/releases"
