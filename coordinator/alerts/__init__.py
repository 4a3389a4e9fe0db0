"""HQ alerts: raised by conditions, acknowledged by people, cleared when the condition ends."""
