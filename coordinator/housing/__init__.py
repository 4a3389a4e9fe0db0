"""Quarantine housing: facilities, beds and placement requests."""
