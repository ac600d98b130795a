"""Wijkportaal: the resident portal of a Krachtige basiszorg neighbourhood network."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal.config import load_config, validate_config


def create_app(config: dict | None = None) -> Flask:
    """Build the portal; `config` overrides settings read from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(instance_path))
    app.config.update(config or {})
    validate_config(app.config)

    register_extensions(app)
    register_i18n(app)
    register_request_logging(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, CSRF and login extensions."""
    from portal import models  # noqa: F401  (all models on the metadata before Migrate)
    from portal.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    @login_manager.user_loader
    def load_user(user_id: str):
        from portal.models import User

        return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def register_i18n(app: Flask) -> None:
    """Language prefixes in URLs, Flask-Babel and the language cookie."""
    from portal import i18n

    i18n.init_app(app)


def register_request_logging(app: Flask) -> None:
    """One JSON line per request, with a request id."""
    from portal import request_log

    request_log.init_app(app)


def register_security_headers(app: Flask) -> None:
    """Content-Security-Policy and the other protective headers."""
    from portal import security_headers

    security_headers.init_app(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates share."""
    from portal import template_helpers

    template_helpers.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every page and endpoint, one blueprint per audience or feature."""
    from portal.routes import health, main, organisations, programmes

    app.register_blueprint(health.bp)
    app.register_blueprint(main.root_bp)
    app.register_blueprint(main.bp, url_prefix="/<lang:lang>")
    app.register_blueprint(programmes.bp, url_prefix="/<lang:lang>/programmes")
    app.register_blueprint(organisations.bp, url_prefix="/<lang:lang>/organisations")


def register_errorhandlers(app: Flask) -> None:
    """Localised error pages, never a traceback."""
    from portal import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    """The flask CLI commands: seed-demo, create-user, translate."""
    from portal import cli

    cli.init_app(app)
