"""Inspections as published: services, ratings, themes, standards and recommendations,
and finding the one a person meant."""
