"""The sidebar's page list, drawn by TuneLab instead of st.navigation's own.

Streamlit's sectioned sidebar puts each section's ``<div>`` straight inside a ``<ul>``, and
its ``<li>`` items inside those divs: a screen reader announces no list at all, and
axe-core reports it as serious (WCAG 1.3.1). Here the router hides Streamlit's list
(``position="hidden"``) and this draws the same pages, section by section, as page links
(plain links, the current page marked by Streamlit) under a heading per section.
"""

from __future__ import annotations

import streamlit as st

from lessons.components.routes import Routes

# A container key gives the block a stable class (st-key-sidebar-pages) tests can find.
SIDEBAR_KEY = "sidebar-pages"


def sidebar_pages(routes: Routes) -> None:
    """Every routed page as a link in the sidebar, under its section's name."""
    with st.sidebar.container(key=SIDEBAR_KEY):
        for section, pages in routes.items():
            st.markdown(f"**{section}**")
            for page in pages:
                st.page_link(page, label=page.title, icon=page.icon or None)
