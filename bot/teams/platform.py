"""How Teams differs, for the application layer: commands are plain messages."""

from bot.app import Platform
from bot.app.welcome import WelcomeWords

TEAMS = Platform("teams", invocation="", admin_hint="Ask your Teams admin", charts=True)

# The id of the "Record as audit update" message action in the app manifest
# (bot.teams.package declares it): Teams names it in composeExtension/fetchTask.
RECORD_AUDIT_ACTION = "recordAuditUpdate"

# Longer text than Teams lets anyone send is refused before parsing.
MAX_TEXT = 28_000

# Conversation types Teams sends (``conversation.conversationType``).
PERSONAL, CHANNEL, GROUP_CHAT = "personal", "channel", "groupChat"

# How the welcome posted where the bot is added says the Teams way of doing things.
WELCOME = WelcomeWords(
    ask="Type {mention}, choose me from the list Teams offers, then your question",
    from_a_message=(
        "Or open a message's … menu, choose More actions, then Record as audit update."
    ),
    admin="your Teams admin",
    channel_setting="YOS_TEAMS_CHANNEL",
)
