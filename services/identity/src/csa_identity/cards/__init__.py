"""myCards: IAM code and linking code of each child registered for CSA, and their letters."""
