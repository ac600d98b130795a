"""Referrals through the route maps: referring, the warm handover, statuses, follow-up and the figures."""
