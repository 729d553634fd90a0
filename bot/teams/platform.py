"""How Teams differs, for the application layer: commands are plain messages."""

from bot.app import Platform

TEAMS = Platform("teams", invocation="", admin_hint="Ask your Teams admin", charts=True)

# The id of the "Record as audit update" message action in the app manifest
# (bot.teams.package declares it): Teams names it in composeExtension/fetchTask.
RECORD_AUDIT_ACTION = "recordAuditUpdate"

# Longer text than Teams lets anyone send is refused before parsing.
MAX_TEXT = 28_000

# Conversation types Teams sends (``conversation.conversationType``).
PERSONAL, CHANNEL, GROUP_CHAT = "personal", "channel", "groupChat"
