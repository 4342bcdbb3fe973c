"""Default configuration.

Site settings and secrets belong in ``instance/config.py`` or in ``KERMA_*`` environment
variables, never in this file.
"""


class Defaults:
    # None means: read or create instance/secret_key (see app.settings.load_secret_key).
    SECRET_KEY = None
    # None means: SQLite file kerma.db in the instance folder.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {}
    # A pooled database connection idle for at least this many seconds is tested before
    # use, so a database restart does not surface as an error page (None: never tested).
    DATABASE_PING_AFTER_IDLE = 1.0
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Uploads through the web import page, in bytes.
    MAX_CONTENT_LENGTH = 512 * 1024 * 1024
    # While a worker (``flask worker``) is running, upload batches of at least this many
    # DICOM files, and every patient-size CSV when UPLOAD_QUEUE_SIZES is true, are imported
    # by the task queue instead of by the web server while the page waits. 0 queues every
    # batch. Without a running worker the web server imports them.
    UPLOAD_QUEUE_FROM_FILES = 20
    UPLOAD_QUEUE_SIZES = True
    PAGE_SIZES = (10, 25, 50, 100, 200, 400)
    # How many of a Charts page's charts PostgreSQL computes at once, each on its own
    # connection (1: one after another). SQLite always computes them one after another.
    CHART_QUERY_WORKERS = 2
    # PostgreSQL's work_mem for a Charts page's queries: the memory each sort for a
    # percentile may take before it spills to disk ("" leaves the server's setting).
    CHART_WORK_MEM = "64MB"
    # Transmission of the fluoroscopy table and mattress for a perpendicular beam, used by
    # the skin dose maps (docs/skin-dose.md): a site's own measurement, or the typical value.
    SKIN_DOSE_TABLE_TRANSMISSION = 0.75
    DEFAULT_PAGE_SIZE = 25
    # Studies per page of the JSON API's lists: the default and the most a client may ask for.
    API_PAGE_SIZE = 100
    API_MAX_PAGE_SIZE = 1000
    # Fluoroscopy alert levels: a study whose DAP or dose at the reference point reaches
    # these in either plane is highlighted in the list and on its page.
    RF_ALERT_DAP_CGYCM2 = 20000
    RF_ALERT_RP_GY = 2

    # The DICOM listener (``flask dicom listen``). The settings saved on the admin page
    # (DICOM network) override these five.
    DICOM_AE_TITLE = "KERMA"
    DICOM_PORT = 11112
    DICOM_BIND = "127.0.0.1"
    # Calling AE titles and peer hosts (addresses, networks such as 10.1.0.0/16, or host
    # names) allowed to associate; an empty list allows any.
    DICOM_ALLOWED_AE_TITLES = []
    DICOM_ALLOWED_HOSTS = []
    # Refuse associations addressed to another AE title (a misconfigured sender).
    DICOM_REQUIRE_CALLED_AE = True
    DICOM_MAX_ASSOCIATIONS = 10
    # Largest PDU Kerma accepts, in bytes (0: no limit); larger PDUs mean fewer round trips.
    DICOM_MAX_PDU = 262144
    # Received objects wait here for the import worker; None means instance/spool.
    SPOOL_DIR = None

    # The task queue (Huey) behind the DICOM listener and other long work, run by
    # ``flask worker``: "sqlite" (a file, HUEY_SQLITE_PATH, None meaning instance/tasks.sqlite)
    # or "redis" (HUEY_REDIS_URL, e.g. redis://localhost:6379/0).
    HUEY_STORAGE = "sqlite"
    HUEY_SQLITE_PATH = None
    HUEY_REDIS_URL = None
    HUEY_NAME = "kerma"
    # Worker threads of ``flask worker``, and the longest pause between looks at an idle queue.
    WORKER_COUNT = 2
    WORKER_POLL_SECONDS = 0.5
    # Finished tasks kept for the Tasks page; older ones are removed.
    TASK_HISTORY_MAX = 2000

    # Alert e-mail (docs/alerts.md). None: no e-mail is sent. ALERT_MAIL_SECURITY is
    # "starttls" (port 587 by default), "ssl" (TLS from the start, 465) or "none" (25; only
    # for a relay on the same host). ALERT_MAIL_CA_FILE names certificates to trust beyond
    # the system's. ALERT_MAIL_MODE: "each" (a message per alert) or "digest" (one message per
    # recipient with every alert waiting, at most once a minute). ALERT_MAIL_BASE_URL, e.g.
    # https://kerma.example.org, makes links to the studies.
    ALERT_MAIL_SERVER = None
    ALERT_MAIL_PORT = None
    ALERT_MAIL_SECURITY = "starttls"
    ALERT_MAIL_USERNAME = None
    ALERT_MAIL_PASSWORD = None
    ALERT_MAIL_CA_FILE = None
    ALERT_MAIL_FROM = "kerma@localhost"
    ALERT_MAIL_MODE = "each"
    ALERT_MAIL_BASE_URL = None
    ALERT_MAIL_TIMEOUT = 10
    # After a failed attempt, pending alert e-mail waits this long before the next.
    ALERT_MAIL_RETRY_SECONDS = 300
    # Query-retrieve from remote nodes (docs/query-retrieve.md). None: the listener's AE title
    # calls nodes and is the C-MOVE destination.
    QR_CALLING_AE_TITLE = None
    QR_MOVE_DESTINATION = None
    # Seconds to wait for a node to connect, answer an association request or a message.
    QR_TIMEOUT = 30
    # Days of study dates asked for by one study-level C-FIND: one day a time keeps each
    # answer under the limits PACS put on the number of matches they return.
    QR_DAYS_PER_FIND = 1
    # A running query whose heartbeat is older than this (seconds) was interrupted: resumed.
    QR_INTERRUPTED_AFTER = 120
    # Minutes before a schedule whose query failed tries again.
    QR_RETRY_MINUTES = 30
