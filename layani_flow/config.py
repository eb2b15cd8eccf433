"""Built-in defaults. Later layers win: these → instance/config.py → LAYANI_* environment."""


class DefaultConfig:
    SECRET_KEY = "dev-only-change-me"  # create_app warns when this is left in place outside tests
    SQLALCHEMY_DATABASE_URI = None  # None → SQLite file in the instance folder (set in create_app)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False

    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 8025
    MAIL_DEFAULT_SENDER = "LAYANI DKP Babel <layani@dkp.babelprov.go.id>"
    BASE_URL = "http://127.0.0.1:5000"
    WORKER_INTERVAL = 30

    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a long form on a slow phone must not lose its token
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True

    # Uploads: outside static/, checked by content, served only to people who may see the case.
    UPLOAD_FOLDER = None  # None → <instance>/uploads
    MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # the whole request; one upload plus the form around it

    # How long an anonymous or named filer may reopen an answered complaint.
    COMPLAINT_REOPEN_DAYS = 14
    PAGE_SIZE = 25

    # Service levels (issue 3). Targets per case type live in the workflows and the catalogue; an admin's
    # SlaPolicy rows override them for cases opened afterwards.
    SLA_WARN_PERCENT = 75
    SLA_ESCALATE_EVERY = "1d"  # working time between escalation levels
    DESK_HEAD_NIP = None  # who gets level 1 when nobody has claimed a case (the kasubbag kepegawaian)
    WORKING_WEEK = None  # None → the contract's week; else {"0": [["07:30", "12:00"], …], …}
    EMAIL_LINK_MAX_AGE_HOURS = 72
    REPLY_TARGET = "0d"  # an out-of-hours message is promised an answer by the close of the next working day
    MAIL_TIMEOUT = 10
