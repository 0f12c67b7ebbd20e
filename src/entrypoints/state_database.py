"""Which database holds the legacy-sync state (docs/state-store.md, "Which database").

1. The original's SQL Server variables, when all four are set (production keeps its data).
2. Else ``JOBS_STATE_DATABASE_URL``, any SQLAlchemy URL (e.g. ``postgresql+psycopg://…``).
3. Else an embedded SQLite file, ``<JOBS_DATA_DIR>/state.sqlite3``.
"""

from pydantic import SecretStr

from entrypoints.settings import Settings

EMBEDDED_STATE_FILE = "state.sqlite3"


def state_database_url(settings: Settings) -> SecretStr:
    """The SQLAlchemy URL of the state database, password URL-encoded, kept secret.

    SQL Server's URL carries no options: the engine adds encryption, certificate checks and
    timeouts (``adapters/sql_state/engine.py``).
    """
    server = settings.platform_global_server_name
    user = settings.svc_signin_jobs
    password = settings.svc_signin_jobs_password
    database = settings.platform_global_jobs_database_name
    if server and user and password and password.get_secret_value() and database:
        from sqlalchemy import URL  # only here: most commands never open the state database

        url = URL.create(
            "mssql+mssqlpython",
            username=user,
            password=password.get_secret_value(),
            host=server,
            database=database,
        )
        return SecretStr(url.render_as_string(hide_password=False))
    if settings.jobs_state_database_url:
        return settings.jobs_state_database_url
    path = (settings.jobs_data_dir / EMBEDDED_STATE_FILE).resolve()
    return SecretStr(f"sqlite+aiosqlite:///{path}")
