"""Current usage: the open period's running total per child and provider (issue 21)."""
