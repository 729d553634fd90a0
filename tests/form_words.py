"""What typed on its own opens the audit form, and what does not: the same list for every
front end's tests, since the application decides it once."""

ASKS_FOR_THE_FORM = ("audit", "Audit form", "  record   AUDIT ", "record")
DOES_NOT = ("audit R1", "records", "audit forms", "record audit now")
