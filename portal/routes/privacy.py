"""The privacy statement in plain language."""

from flask import Blueprint, render_template

from portal.access import policy
from portal.page_cache import cached_page
from portal.services.policy import PUBLIC
from portal.services.privacy.consent import CONSENT_VERSIONS

bp = Blueprint("privacy", __name__)


@bp.get("")
@policy(PUBLIC)
@cached_page
def index():
    """What the portal keeps about you, why, for how long, and your rights."""
    return render_template("privacy/index.html", consent_versions=CONSENT_VERSIONS)
