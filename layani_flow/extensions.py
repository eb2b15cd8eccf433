"""Unbound extension singletons; create_app binds them with init_app."""
from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The models' base class. Flask-SQLAlchemy builds db.Model at run time (Base's body in a new class with its
# bind and query mixins), and mypy cannot take an attribute as a base class (python/mypy#8603). To the type
# checker the models derive from Base itself: the same DeclarativeBase, metadata and mapped columns.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
login_manager = LoginManager()
# Limits are declared where they apply (sign-in, the anonymous form); none by default. Storage comes from
# RATELIMIT_STORAGE_URI: memory:// for one app server, redis://… when several share the counts.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
