"""Billing domain: the pure CSA week engine (csa-rules.md §4-§6)."""
