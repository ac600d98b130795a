"""Accounts: registration, passwords, second factors, login sessions and the coordinator's management."""
