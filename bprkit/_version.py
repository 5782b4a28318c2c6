"""The version, in one place (the facade and every writer read it here)."""

__version__ = "0.1.0"
