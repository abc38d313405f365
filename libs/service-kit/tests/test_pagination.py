import pytest

from service_kit.pagination import decode_cursor, encode_cursor
from service_kit.problems import RuleViolation


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor(42, "2026-01-01"), 2) == [42, "2026-01-01"]


@pytest.mark.parametrize("bad", ["%%%", "bm90IGpzb24", encode_cursor(1, 2, 3)])
def test_foreign_cursor_is_a_rule_violation(bad):
    with pytest.raises(RuleViolation):
        decode_cursor(bad, 2)
