"""Blueprints: one per audience or feature; thin views that parse, call a service and render."""
