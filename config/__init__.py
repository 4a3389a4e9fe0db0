"""Settings classes and deployment configuration for Birlik."""
