"""The period close: bills, drafts, adjustments, numbers, statements and their events."""
