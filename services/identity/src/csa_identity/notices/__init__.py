"""E-mail notices to parents: invoice issued, contract about to expire (issue 22)."""
