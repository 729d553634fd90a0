"""Domain logic: inspections, rating bands, themes and recommendations. No Slack here."""
