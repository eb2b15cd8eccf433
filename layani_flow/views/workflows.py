from flask import Blueprint

bp = Blueprint("workflows", __name__)
