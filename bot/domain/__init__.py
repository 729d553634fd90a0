"""Domain logic: inspections, rating bands, themes, recommendations and their monitoring.
Plain Python: no chat platform here."""
