"""Coordinators invite staff: a link that works once and expires; the new account must set up TOTP."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Invitation, User
from tests.factories import OrganisationFactory
from tests.support.accounts import password_step, post_form
from tests.support.mail import body, last_mail, link_in

PASSWORD = "wandelen in het park 2026"


def invite(client, organisation, email="nieuw@example.org", role="broker", language="nl"):
    """The coordinator fills in the invitation form."""
    data = {"email": email, "role": role, "organisation": organisation.id, "language": language}
    return post_form(client, "/nl/admin/invitations", data)


def test_a_coordinator_invites_a_broker_who_makes_an_account_and_must_set_up_totp(app, client, login):
    organisation = OrganisationFactory(name="Sportief Overvecht")
    login("admin", display_name="Coördinator Sanne")
    assert invite(client, organisation).status_code == 302
    mail = last_mail(app, "nieuw@example.org")
    assert "Sportief Overvecht" in body(mail) and "Coördinator Sanne" in body(mail)
    path = link_in(mail)

    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "nieuw@example.org" in page.get_data(as_text=True)
    data = {"display_name": "Bram", "password": PASSWORD, "password_confirm": PASSWORD, "language": "nl"}
    assert post_form(newcomer, path, data).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nieuw@example.org"))
    assert (user.role, user.organisation_id, user.second_factor) == ("broker", organisation.id, None)
    assert user.email_confirmed_at is not None

    assert newcomer.get(path).status_code == 400  # works once
    assert password_step(newcomer, "nieuw@example.org", PASSWORD).location.endswith("/nl/login/setup")
    assert newcomer.get("/nl/login/code").location.endswith("/nl/login/setup")
    assert newcomer.get("/nl/account").status_code == 302


def test_a_revoked_or_expired_invitation_does_not_work(app, client, login):
    organisation = OrganisationFactory()
    login("admin")
    invite(client, organisation, email="a@example.org")
    revoked_path = link_in(last_mail(app, "a@example.org"))
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "a@example.org"))
    post_form(client, f"/nl/admin/invitations/{invitation.id}/revoke", {}, token_from="/nl/admin/invitations")
    assert app.test_client().get(revoked_path).status_code == 400

    invite(client, organisation, email="b@example.org")
    expired_path = link_in(last_mail(app, "b@example.org"))
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "b@example.org"))
    invitation.expires_at -= timedelta(days=8)
    db.session.commit()
    assert app.test_client().get(expired_path).status_code == 400


def test_only_staff_roles_can_be_invited(app, client, login):
    organisation = OrganisationFactory()
    login("admin")
    response = invite(client, organisation, role="resident")
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)
    response = post_form(
        client, "/nl/admin/invitations", {"email": "x@example.org", "role": "broker", "organisation": "999"}
    )
    assert response.status_code == 200
    assert db.session.scalars(select(Invitation)).all() == []


def test_the_invitation_mail_is_in_the_chosen_language(app, client, login):
    organisation = OrganisationFactory()
    login("admin")
    invite(client, organisation, email="tr@example.org", language="tr")
    mail = last_mail(app, "tr@example.org")
    assert mail["Content-Language"] == "tr" and "/tr/invitation/" in link_in(mail)
