"""Monitoring what an inspection asked for: audit evidence, windows and periods, the
status a target has reached, reminders, the board report, and the privacy of notes."""
