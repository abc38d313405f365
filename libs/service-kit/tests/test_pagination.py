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
