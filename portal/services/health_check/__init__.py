"""The cijfer voor gezondheid and the 4D self-check: checks, sharing, estimates, reminders and figures."""
