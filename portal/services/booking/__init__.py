"""Booking places in sessions and appointment slots, with mails, calendars and reminders."""
