"""Blueprints. Each module has one blueprint `bp`; views stay thin and call one service each."""
from flask import Flask


def register(app: Flask) -> None:
    from . import (
        acting,
        admin,
        api_v1,
        auth,
        cases,
        consultations,
        consultations_api,
        email_actions,
        errors,
        home,
        intake,
        queue,
        track,
        workflows,
    )

    for module in (auth, home, intake, cases, queue, track, workflows, admin, acting, email_actions, api_v1,
                   consultations, consultations_api):
        app.register_blueprint(module.bp)
    errors.init_app(app)
