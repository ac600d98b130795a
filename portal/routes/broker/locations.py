"""The broker's locations: the list, adding one and changing one, with a point picked on the map."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import load_or_404, policy
from portal.extensions import db
from portal.forms.listings.locations import LocationForm
from portal.models import Location, Neighbourhood
from portal.routes.broker.blueprint import bp, shown_organisation
from portal.services import policy as policies
from portal.services.listings import editing, locations
from portal.services.neighbourhoods import find_neighbourhood
from portal.services.policy import STAFF
from portal.template_helpers import default_neighbourhood


def _map_settings(latitude=None, longitude=None) -> dict:
    hood = default_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"])
    return {
        "tile_url": current_app.config["PORTAL_TILE_URL"],
        "attribution": current_app.config["PORTAL_TILE_ATTRIBUTION"],
        "center": (latitude or (hood.latitude if hood else 52.09), longitude or (hood.longitude if hood else 5.12)),
    }


@bp.get("/locations")
@policy(STAFF)
def location_list():
    """The organisation's locations."""
    organisation = shown_organisation()
    places = editing.usable_locations(organisation)
    return render_template("broker/locations.html", locations=places, organisation=organisation)


@bp.route("/locations/new", methods=["GET", "POST"])
@policy(STAFF)
def new_location():
    """Add a location; coordinates by clicking on the map or typed."""
    organisation = current_user.organisation
    if organisation is None:
        flash(_("Your account belongs to no organisation, so you cannot add locations."), "error")
        return redirect(url_for(".location_list"))
    form = LocationForm()
    if form.validate_on_submit():
        hood = find_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"]) or db.session.scalar(
            db.select(Neighbourhood).limit(1)
        )
        locations.create_location(organisation, hood, form.to_data())
        db.session.commit()
        flash(_("The location is saved."), "ok")
        return redirect(url_for(".location_list"))
    return render_template("broker/location_form.html", form=form, location=None, map=_map_settings())


@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
@policy(STAFF)
def edit_location(location_id: int):
    """Change a location of the organisation."""
    item = load_or_404(Location, location_id, policies.may_manage_listing_item)
    form = LocationForm.from_location(item) if request.method == "GET" else LocationForm()
    if form.validate_on_submit():
        locations.update_location(item, form.to_data())
        db.session.commit()
        flash(_("The location is saved."), "ok")
        return redirect(url_for(".location_list"))
    return render_template(
        "broker/location_form.html", form=form, location=item, map=_map_settings(item.latitude, item.longitude)
    )
