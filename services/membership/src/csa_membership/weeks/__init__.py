"""Plurilingual education weeks: offers by providers or agents, sign-ups by parents."""
