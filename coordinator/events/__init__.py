"""The append-only event log, which is also the audit log."""
