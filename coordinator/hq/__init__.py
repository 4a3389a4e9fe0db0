"""Operational headquarters and their scheduled status reports."""
