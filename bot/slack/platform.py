"""How Slack differs, for the application layer: commands are typed as /yos."""

from bot.app import Platform

SLACK = Platform(
    "slack", invocation="/yos ", admin_hint="Ask your Slack admin", charts=True, people_picker=True
)

# Slack's own limit on a message's text; anything longer is refused before parsing.
MAX_TEXT = 40_000
