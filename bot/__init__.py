"""YOS inspection bot: HMIP inspection results and recommendation tracking for Slack and
Microsoft Teams."""

__version__ = "0.1.0"
