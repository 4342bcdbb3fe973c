"""Default configuration.

Site settings and secrets belong in ``instance/config.py`` or in ``KERMA_*`` environment
variables, never in this file.
"""


class Defaults:
    # None means: read or create instance/secret_key (see app.settings.load_secret_key).
    SECRET_KEY = None
    # None means: SQLite file kerma.db in the instance folder.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Uploads through the web import page, in bytes.
    MAX_CONTENT_LENGTH = 512 * 1024 * 1024
    PAGE_SIZES = (10, 25, 50, 100, 200, 400)
    DEFAULT_PAGE_SIZE = 25
    # Fluoroscopy alert levels: a study whose DAP or dose at the reference point reaches
    # these in either plane is highlighted in the list and on its page.
    RF_ALERT_DAP_CGYCM2 = 20000
    RF_ALERT_RP_GY = 2
