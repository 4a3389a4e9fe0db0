"""Users, roles, sessions, API tokens and login throttling."""
