"""Forwarded-address rule: X-Forwarded-For counts only from trusted proxies (SEC-9)."""

from __future__ import annotations

import pytest

from claimdesk.rules.forwarded import client_address, parse_networks

PROXIES = parse_networks("10.0.0.5, 10.1.0.0/16")


def test_no_trusted_proxies_ignores_the_header():  # SPEC SEC-9
    assert client_address(peer="127.0.0.1", forwarded_for="203.0.113.7", trusted=()) == "127.0.0.1"


def test_untrusted_peer_cannot_choose_its_address():  # SPEC SEC-9
    found = client_address(peer="198.51.100.2", forwarded_for="203.0.113.7", trusted=PROXIES)
    assert found == "198.51.100.2"


def test_trusted_proxy_gives_the_client_it_saw():  # SPEC SEC-9
    found = client_address(peer="10.0.0.5", forwarded_for="203.0.113.7", trusted=PROXIES)
    assert found == "203.0.113.7"


def test_a_client_forged_hop_left_of_the_real_one_is_ignored():  # SPEC SEC-9
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended what it saw.
    found = client_address(
        peer="10.0.0.5", forwarded_for="1.2.3.4, 203.0.113.7, 10.1.2.3", trusted=PROXIES
    )
    assert found == "203.0.113.7"


def test_garbage_in_the_chain_stops_at_the_closest_known_hop():  # SPEC SEC-9
    found = client_address(peer="10.0.0.5", forwarded_for="evil, 10.1.2.3", trusted=PROXIES)
    assert found == "10.1.2.3"


def test_ports_and_ipv6_hops_are_read():  # SPEC SEC-9
    assert (
        client_address(peer="10.0.0.5", forwarded_for="[2001:db8::1]:443", trusted=PROXIES)
        == "2001:db8::1"
    )
    assert (
        client_address(peer="10.0.0.5", forwarded_for="203.0.113.7:5555", trusted=PROXIES)
        == "203.0.113.7"
    )


def test_a_bad_entry_is_named():  # SPEC SEC-9
    with pytest.raises(ValueError, match=r"proxy\.example"):
        parse_networks("10.0.0.5, proxy.example")
