"""Which address a request comes from, for the wrong-guess gates: proxy-aware, not spoofable.

Behind a reverse proxy (deploy/haproxy.cfg) every browser reaches the app from the proxy's
address, so every learner would share one gate. The proxy names the browser in
X-Forwarded-For, but any client can send that header too, so it is honoured only when the
TCP peer is a proxy this server was told to trust ($TUNELAB_TRUSTED_PROXIES, a comma list
of addresses or CIDR blocks; none by default). Then the address is the right-most hop that
is not itself a trusted proxy: the hops to its left were written by the client and prove
nothing (the same rule as uvicorn's and Werkzeug's ProxyFix).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

TRUSTED_PROXIES_ENV = "TUNELAB_TRUSTED_PROXIES"
FORWARDED_FOR = "X-Forwarded-For"
# Streamlit reports a browser on this machine as no address at all (None).
LOOPBACK = "127.0.0.1"
MAX_HOPS = 20  # a longer header is a client's invention; its right-most hops still count

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    def __contains__(self, address: object) -> bool:
        parsed = _parse(address)
        return parsed is not None and any(parsed in net for net in self.networks)


def trusted_proxies(env: Mapping[str, str] = os.environ) -> TrustedProxies:
    """The proxies named in $TUNELAB_TRUSTED_PROXIES; ValueError names an unreadable entry."""
    networks: list[Network] = []
    for entry in env.get(TRUSTED_PROXIES_ENV, "").split(","):
        if entry.strip():
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"{TRUSTED_PROXIES_ENV} lists {entry.strip()!r}, which is not an IP "
                    "address or a CIDR block such as 10.0.0.0/8: fix it and restart."
                ) from None
    return TrustedProxies(tuple(networks))


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: TrustedProxies) -> str:
    """The address the gates count a request under.

    ``peer`` is the TCP peer as Streamlit reports it (None for this machine);
    ``forwarded_for`` every X-Forwarded-For header of the request, in order (a proxy may
    append its own header after the client's: HTTP reads them as one comma list)."""
    address = peer if isinstance(peer, str) and peer else LOOPBACK
    if address not in trusted:
        return _canonical(address)
    hops = [hop.strip() for value in forwarded_for for hop in str(value).split(",")]
    for hop in reversed(hops[-MAX_HOPS:]):
        if _parse(hop) is None:
            break  # a malformed hop: nothing to its left can be trusted either
        if hop not in trusted:
            return _canonical(hop)
        address = hop
    return _canonical(address)


def is_this_machine(address: str) -> bool:
    """Loopback: the server's own machine, or a proxy on it that is not trusted (then every
    browser behind it has this one address, and a rule per address is a server-wide one)."""
    parsed = _parse(address)
    return parsed is not None and parsed.is_loopback


def _parse(address: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not isinstance(address, str):
        return None
    try:
        parsed = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(parsed, "ipv4_mapped", None)
    return mapped or parsed


def _canonical(address: str) -> str:
    parsed = _parse(address)
    return str(parsed) if parsed is not None else address[:64]
