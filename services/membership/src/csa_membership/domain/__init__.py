"""Pure membership (adhesion) domain: csa-rules.md §2 and §8. No I/O, no clock reads."""
