"""The address the wrong-guess gates count: X-Forwarded-For only from a trusted proxy."""

from __future__ import annotations

import pytest

from engine.identity.addresses import client_address, trusted_proxies

HAPROXY = trusted_proxies({"TUNELAB_TRUSTED_PROXIES": "127.0.0.1"})
NONE = trusted_proxies({})


def test_without_trusted_proxies_the_header_is_ignored_and_the_peer_counts():
    assert client_address("203.0.113.7", ["198.51.100.1"], NONE) == "203.0.113.7"
    # Streamlit reports this machine as None: every local browser is one address.
    assert client_address(None, ["198.51.100.1"], NONE) == "127.0.0.1"


def test_behind_the_trusted_proxy_each_browser_is_its_own_address():
    assert client_address(None, ["198.51.100.1"], HAPROXY) == "198.51.100.1"
    assert client_address(None, ["198.51.100.2"], HAPROXY) == "198.51.100.2"


def test_a_client_cannot_choose_its_address_by_sending_the_header_itself():
    # The client's own header comes first; the proxy appends the real peer after it.
    assert client_address(None, ["10.9.9.9, 1.1.1.1", "198.51.100.1"], HAPROXY) == "198.51.100.1"
    assert client_address(None, ["10.9.9.9, 198.51.100.1"], HAPROXY) == "198.51.100.1"
    # Straight to the app (not through the proxy), the header is worthless.
    assert client_address("203.0.113.7", ["127.0.0.1"], HAPROXY) == "203.0.113.7"


def test_the_right_most_hop_that_is_not_a_trusted_proxy_is_the_browser():
    chain = trusted_proxies({"TUNELAB_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"})
    assert client_address(None, ["198.51.100.1, 10.0.0.5"], chain) == "198.51.100.1"
    assert client_address("10.1.2.3", ["203.0.113.9, 10.0.0.5"], chain) == "203.0.113.9"
    # Only proxies all the way: the left-most of them is as far as anyone can tell.
    assert client_address(None, ["10.0.0.7, 10.0.0.5"], chain) == "10.0.0.7"


def test_a_malformed_hop_stops_the_walk_at_the_last_trusted_proxy():
    assert client_address(None, ["198.51.100.1, not-an-ip"], HAPROXY) == "127.0.0.1"
    assert client_address(None, [], HAPROXY) == "127.0.0.1"


def test_addresses_are_written_one_way_so_one_browser_is_one_gate():
    v6 = trusted_proxies({"TUNELAB_TRUSTED_PROXIES": "::1"})
    assert client_address("::1", ["2001:DB8::0001"], v6) == "2001:db8::1"
    assert client_address("::ffff:203.0.113.7", [], NONE) == "203.0.113.7"


def test_an_unreadable_trusted_proxy_setting_names_the_entry():
    with pytest.raises(ValueError, match=r"TUNELAB_TRUSTED_PROXIES lists 'haproxy'"):
        trusted_proxies({"TUNELAB_TRUSTED_PROXIES": "127.0.0.1, haproxy"})
