"""WSGI entry point."""

import gc

from portal import create_app

app = create_app()
# The app's long-lived objects (URL map, templates, catalogs, route maps) move out of the collector's reach:
# a full collection no longer walks them inside whichever request happens to trigger it.
gc.freeze()
