"""The browser's address as the wrong-guess gates count it (engine.identity.addresses)."""

from __future__ import annotations

import streamlit as st

from engine.identity.addresses import FORWARDED_FOR, client_address, trusted_proxies


def browser_address() -> str:
    """This session's browser: the TCP peer, or the browser a trusted proxy names."""
    peer, forwarded = request_peer()
    return client_address(peer, forwarded, trusted_proxies())


def request_peer() -> tuple[str | None, list[str]]:
    """The TCP peer Streamlit saw (None: this machine) and every X-Forwarded-For header."""
    peer = st.context.ip_address
    get_all = getattr(st.context.headers, "get_all", None)
    forwarded = get_all(FORWARDED_FOR) if callable(get_all) else []
    # AppTest hands out mocks for both: anything but strings counts as this machine.
    return (
        peer if isinstance(peer, str) else None,
        [value for value in forwarded if isinstance(value, str)],
    )
