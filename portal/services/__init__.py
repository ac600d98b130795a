"""The domain: plain functions that take and return data; no request, no templates."""
