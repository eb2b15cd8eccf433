"""Blueprints. Each module has one blueprint `bp`; views stay thin and call one service each."""
from flask import Flask


def register(app: Flask) -> None:
    from . import (
        acting,
        admin,
        api_v1,
        auth,
        cases,
        chat,
        consultations,
        consultations_api,
        drafts,
        email_actions,
        errors,
        feedback,
        home,
        hr_import,
        intake,
        personnel,  # personnel data, reminders, planning list
        queue,
        row_links,
        track,
        workflows,
    )
    from . import search as search_views  # its own line: other branches add blueprints to the one above
    from . import standards as standards_views  # /standar-pelayanan (public)
    from .announcements import bp as announcements_bp  # Informasi: pages, then the API
    from .announcements_api import bp as announcements_api_bp
    from .health import bp as health_bp  # /healthz for the proxy

    app.register_blueprint(hr_import.bp)
    app.register_blueprint(health_bp)

    for module in (auth, home, intake, cases, chat, queue, search_views, track, workflows, admin, acting, email_actions,
                   feedback, api_v1, consultations, consultations_api):
        app.register_blueprint(module.bp)
    app.register_blueprint(standards_views.bp)
    app.register_blueprint(personnel.bp)
    app.register_blueprint(announcements_bp)
    app.register_blueprint(announcements_api_bp)
    errors.init_app(app)
    drafts.init_app(app)
    row_links.init_app(app)
