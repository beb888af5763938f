"""Which address a request comes from, given the proxies we trust (SEC-9).

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only
when the connecting peer is a configured proxy, and then only up to the first hop that
is not itself a trusted proxy (each proxy appends the address it saw; walking from the
right stops at the first address no trusted proxy vouches for). With no trusted proxies
the header is ignored and the peer is the client. The same rule as uvicorn's
``forwarded_allow_ips``, so ``claimdesk serve`` and the application agree on it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)  # read on every request; the setting is one short string
def parse_networks(text: str) -> tuple[Network, ...]:
    """``"10.0.0.1, 10.1.0.0/16"`` -> networks; a bare address is a /32 (/128).
    Raises ValueError naming the entry that is neither."""
    networks: list[Network] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {entry!r}") from None
    return tuple(networks)


def is_trusted(address: str | None, trusted: tuple[Network, ...]) -> bool:
    if not address or not trusted:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _host(hop: str) -> str | None:
    """The address of one X-Forwarded-For entry, or None when it is not an address."""
    hop = hop.strip()
    if hop.startswith("[") and "]" in hop:  # "[2001:db8::1]:443"
        hop = hop[1 : hop.index("]")]
    elif hop.count(":") == 1:  # "203.0.113.7:443"
        hop = hop.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None


def client_address(
    *, peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str | None:
    """The client's address: the peer itself unless the peer is a trusted proxy; then
    the right-most forwarded hop that is not a trusted proxy."""
    if not forwarded_for or not is_trusted(peer, trusted):
        return peer
    closest = peer
    for hop in reversed(forwarded_for.split(",")):
        host = _host(hop)
        if host is None:
            # Garbage in the chain: believe nothing further left of it.
            return closest
        if not is_trusted(host, trusted):
            return host
        closest = host
    # Every hop is a trusted proxy: the left-most is as far as anyone vouches.
    return closest
