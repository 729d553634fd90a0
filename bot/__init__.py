"""YOS inspection bot: HMIP inspection results and recommendation tracking for Slack."""

__version__ = "0.1.0"
