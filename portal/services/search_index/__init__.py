"""Full-text search over programme texts: query words to terms, typo correction, and each database's index."""
