"""Messaging: care relations, threads between residents and their care team, consultations and attachments."""
