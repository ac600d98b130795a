"""The public social map: published programmes, search, filters and map locations."""
