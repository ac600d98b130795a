"""A person's rights over their data: consents, a copy of everything, erasure."""
