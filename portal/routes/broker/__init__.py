"""The beweegmakelaar's pages: their organisation's programmes, sessions and locations, and CSV/HSDS exchange.

`bp` is the "broker" blueprint; importing the topic modules registers their routes on it."""

from __future__ import annotations

from portal.routes.broker import exchange, locations, programmes, sessions  # noqa: F401  (they register routes)
from portal.routes.broker.blueprint import bp

__all__ = ["bp"]
