"""The referral's statuses (FHIR R4 Task codes), who may move it where, and the fixed reasons for each move."""

from __future__ import annotations

from portal.models.referrals import REFERRAL_STATUSES

STATUSES = REFERRAL_STATUSES
CLOSED = frozenset({"rejected", "cancelled", "failed", "completed", "entered-in-error"})
REOPENABLE = frozenset({"rejected", "cancelled", "failed", "completed"})
# Open loops: sent, and not yet brought to a final state by the receiver.
OPEN = frozenset({"requested", "accepted", "in-progress", "on-hold"})

# (from, to) -> the parties that may make that change. Voiding and reopening are separate steps.
_MOVES: dict[tuple[str, str], frozenset[str]] = {}


def _allow(parties: set[str], sources: tuple[str, ...], *targets: str) -> None:
    for source in sources:
        for target in targets:
            _MOVES[source, target] = _MOVES.get((source, target), frozenset()) | frozenset(parties)


_allow({"referrer"}, ("draft",), "requested")
_allow({"referrer", "resident"}, ("draft",), "cancelled")
_allow({"receiver"}, ("requested",), "accepted", "rejected", "on-hold")
_allow({"receiver"}, ("accepted",), "in-progress", "on-hold", "completed", "failed")
_allow({"receiver"}, ("in-progress",), "completed", "failed", "on-hold")
_allow({"receiver"}, ("on-hold",), "accepted", "in-progress", "rejected", "failed")
_allow({"referrer", "resident"}, ("requested", "accepted", "in-progress", "on-hold"), "cancelled")

# Reason codes and the statuses they may explain. A move into a closed status or on hold needs one.
REASONS: dict[str, frozenset[str]] = {
    "no_capacity": frozenset({"rejected", "on-hold"}),
    "waiting_list": frozenset({"on-hold"}),
    "resident_asked_to_wait": frozenset({"on-hold"}),
    "not_eligible": frozenset({"rejected"}),
    "referred_elsewhere": frozenset({"rejected", "cancelled"}),
    "could_not_contact": frozenset({"rejected", "failed", "cancelled"}),
    "no_longer_interested": frozenset({"cancelled", "failed"}),
    "resident_declined": frozenset({"cancelled"}),
    "did_not_attend": frozenset({"failed"}),
    "could_not_get_help": frozenset({"failed"}),
    "got_help": frozenset({"completed"}),
    "got_help_elsewhere": frozenset({"cancelled", "completed"}),
    "made_by_mistake": frozenset({"entered-in-error"}),
    "other": frozenset({"rejected", "cancelled", "failed", "completed", "on-hold"}),
}
NEEDS_REASON = CLOSED | {"on-hold"}
# The expected wait when a team has no capacity (the Gravity guide's waitlist buckets).
WAITS = ("lt_1m", "1_3m", "gt_3m")


def parties_may_move(source: str, target: str) -> frozenset[str]:
    """The parties that may move a referral from `source` to `target` (empty: nobody)."""
    return _MOVES.get((source, target), frozenset())


def targets_for(source: str, parties: set[str] | frozenset[str]) -> list[str]:
    """The statuses the given parties may move a referral in `source` to, in the order of STATUSES."""
    return [target for target in STATUSES if parties_may_move(source, target) & set(parties)]


def reasons_for(target: str) -> list[str]:
    """The reason codes that may explain a move into `target`, in a fixed order ('other' last)."""
    return [code for code, targets in REASONS.items() if target in targets]
