"""The client's network for the one-network burst rule: the /24 or /64 around an address, hashed."""

from __future__ import annotations

import hashlib
import ipaddress

import pytest

from feedback_api.network import network_of


def _expected(address: str) -> str | None:
    """The network as the ipaddress module reads the address (the reference)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    network = ipaddress.ip_network(
        f"{ip}/{24 if ip.version == 4 else 64}", strict=False
    )
    return hashlib.sha256(str(network).encode()).hexdigest()[:32]


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3", "10.1.2.250", "0.0.0.0", "255.255.255.255", "192.168.0.1",
        "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.", "1..3.4", "-1.2.3.4", "+1.2.3.4",
        "1.2.3.٤", "１.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/24", "0x1.2.3.4",
        "2001:db8::1", "2001:db8:0:0:ffff::1", "::ffff:10.1.2.3", "fe80::1%eth0", "not an address", "",
    ],
)  # fmt: skip
def test_the_network_is_the_one_ipaddress_reads(address):
    assert network_of(address) == _expected(address)


def test_addresses_of_one_network_share_it_and_others_do_not():
    assert network_of("10.1.2.3") == network_of("10.1.2.200") != network_of("10.1.3.3")
    assert (
        network_of("2001:db8::1")
        == network_of("2001:db8::ffff")
        != network_of("2001:db8:0:1::1")
    )
    assert network_of(None) is None
