"""Shared test helpers that are not fixtures of the lead's conftest."""
