from flask import Blueprint

bp = Blueprint("track", __name__)
