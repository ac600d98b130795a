"""Wijkportaal: the resident portal of a Krachtige basiszorg neighbourhood network."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal.config import load_config, validate_config
from portal.url_memo import PortalApp


def create_app(config: dict | None = None) -> Flask:
    """Build the portal; `config` overrides settings read from the environment."""
    app = PortalApp(__name__, instance_relative_config=True)
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(instance_path))
    app.config.update(config or {})
    validate_config(app.config)

    register_extensions(app)
    register_access_control(app)
    register_i18n(app)
    register_input_guard(app)
    register_request_logging(app)
    register_security_headers(app)
    register_http_caching(app)
    register_template_helpers(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_mail_outbox(app)
    register_commands(app)
    load_content(app)
    register_proxy_fix(app)
    return app


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* from exactly PORTAL_TRUSTED_PROXIES proxies (0: none), for client addresses.

    The outermost WSGI layer: the page cache inside it keys pages by the client's real host and scheme."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = app.config["PORTAL_TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, CSRF, login, rate-limit and cache extensions, and the page cache."""
    from portal import (
        models,  # noqa: F401  (all models on the metadata before Migrate)
        page_cache,
        pool_checks,
        read_only_pages,
        sealing,
        sqlite_settings,
        transaction_end,
    )
    from portal.extensions import cache, csrf, db, limiter, login_manager, migrate
    from portal.services.social_map import listing_cache

    db.init_app(app)
    sealing.init_app(app)
    sqlite_settings.init_app(app)
    pool_checks.init_app(app)
    read_only_pages.init_app(app)
    transaction_end.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    listing_cache.init_app(app)
    page_cache.init_app(app)


def register_access_control(app: Flask) -> None:
    """Database-backed login sessions, and the access policy every route declares."""
    from portal import access, auth_session

    auth_session.init_app(app)
    access.init_app(app)


def register_i18n(app: Flask) -> None:
    """Language prefixes in URLs and Flask-Babel."""
    from portal import i18n

    i18n.init_app(app)


def register_input_guard(app: Flask) -> None:
    """Slug URLs, a refusal of NUL bytes, and the larger body limit of the routes that take files."""
    from portal import input_guard, message_uploads

    input_guard.init_app(app)
    message_uploads.init_app(app)


def register_request_logging(app: Flask) -> None:
    """One JSON line per request, with a request id."""
    from portal import request_log

    request_log.init_app(app)


def register_security_headers(app: Flask) -> None:
    """Content-Security-Policy and the other protective headers."""
    from portal import security_headers

    security_headers.init_app(app)


def register_http_caching(app: Flask) -> None:
    """Cache-Control: public pages briefly in shared caches, everything else private, no-store."""
    from portal import http_caching

    http_caching.init_app(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates share, and the layout's fragments."""
    from portal import layout_fragments, routekaart_fragments, template_helpers

    template_helpers.init_app(app)
    layout_fragments.init_app(app)
    routekaart_fragments.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every page and endpoint, one blueprint per audience or feature."""
    from portal import vendor_assets
    from portal.routes import (
        account,
        admin,
        api,
        auth,
        booking,
        broker,
        care_team,
        health,
        health_check,
        health_check_sharing,
        main,
        map_init,
        messages,
        organisations,
        privacy,
        professional,
        programmes,
        referrals,
        reports,
        routekaarten,
        social_map,
    )

    vendor_assets.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(map_init.bp)
    app.register_blueprint(main.root_bp)
    app.register_blueprint(main.bp, url_prefix="/<lang:lang>")
    app.register_blueprint(programmes.bp, url_prefix="/<lang:lang>/programmes")
    app.register_blueprint(social_map.bp, url_prefix="/<lang:lang>/map")
    app.register_blueprint(organisations.bp, url_prefix="/<lang:lang>/organisations")
    app.register_blueprint(routekaarten.bp, url_prefix="/<lang:lang>/routekaarten")
    app.register_blueprint(auth.bp, url_prefix="/<lang:lang>")
    app.register_blueprint(account.bp, url_prefix="/<lang:lang>/account")
    app.register_blueprint(admin.bp, url_prefix="/<lang:lang>/admin")
    app.register_blueprint(reports.bp, url_prefix="/<lang:lang>/admin/reports")
    app.register_blueprint(privacy.bp, url_prefix="/<lang:lang>/privacy")
    app.register_blueprint(broker.bp, url_prefix="/<lang:lang>/broker")
    app.register_blueprint(booking.bp, url_prefix="/<lang:lang>/bookings")
    app.register_blueprint(messages.bp, url_prefix="/<lang:lang>/messages")
    app.register_blueprint(care_team.bp, url_prefix="/<lang:lang>/care-team")
    app.register_blueprint(professional.bp, url_prefix="/<lang:lang>/professional")
    app.register_blueprint(referrals.bp, url_prefix="/<lang:lang>/referrals")
    app.register_blueprint(health_check.bp, url_prefix="/<lang:lang>/health-check")
    app.register_blueprint(health_check_sharing.bp, url_prefix="/<lang:lang>/health-check/sharing")


def register_errorhandlers(app: Flask) -> None:
    """Localised error pages, never a traceback."""
    from portal import errors

    errors.init_app(app)


def register_mail_outbox(app: Flask) -> None:
    """Send the mails a request queued once it has committed them (the rest waits for `flask send-mail`)."""
    from portal.services import mail_outbox

    mail_outbox.init_app(app)


def register_commands(app: Flask) -> None:
    """The flask CLI commands: seed-demo, create-user, translate, content check."""
    from portal import cli

    cli.init_app(app)


def load_content(app: Flask) -> None:
    """Read and validate the route maps in content/routekaarten; a broken file stops start-up."""
    from portal.services.routekaarten import content

    content.init_app(app)
