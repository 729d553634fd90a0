"""The Slack adapter: the only part of the bot that imports slack_bolt."""
