"""Hotline reports and the cases they open."""
