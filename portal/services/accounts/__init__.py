"""Accounts: registration, passwords, second factors, login sessions, their mails and the coordinator's management."""
