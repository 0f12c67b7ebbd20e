"""One upsert per backend, in its native form: createdAt kept, last_action_sent and updatedAt set.

PostgreSQL and SQLite use ``INSERT … ON CONFLICT DO UPDATE``; SQL Server uses ``MERGE`` with
``HOLDLOCK`` (as Sequelize's upsert did), so concurrent first writes cannot both insert.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Table, TextClause, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sql_state.tables import SCHEMA


def upsert_statement(
    dialect: str, table: Table, key: dict[str, Any], action: str, now: datetime
) -> Executable:
    """The statement that stores ``action`` for the row ``key`` of ``table`` at time ``now``."""
    values = {**key, "last_action_sent": action, "createdAt": now, "updatedAt": now}
    if dialect == "mssql":
        return mssql_merge(table).bindparams(**values)
    if dialect not in ("postgresql", "sqlite"):
        raise ValueError(f"no upsert for the '{dialect}' dialect")
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = statement.values(values)
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={
            "last_action_sent": statement.excluded.last_action_sent,
            "updatedAt": statement.excluded.updatedAt,
        },
    )


def mssql_merge(table: Table) -> TextClause:
    """``MERGE`` for ``table``, with typed bind parameters named after its columns."""
    keys = [column.name for column in table.primary_key.columns]
    columns = [column.name for column in table.columns]
    source = ", ".join(f":{name} AS [{name}]" for name in keys)
    match = " AND ".join(f"target.[{name}] = source.[{name}]" for name in keys)
    names = ", ".join(f"[{name}]" for name in columns)
    params = ", ".join(f":{name}" for name in columns)
    # Identifiers come from our own table definitions; every value is a bind parameter.
    sql = (
        f"MERGE [{SCHEMA}].[{table.name}] WITH (HOLDLOCK) AS target "  # noqa: S608
        f"USING (SELECT {source}) AS source ON {match} "
        "WHEN MATCHED THEN UPDATE SET "
        "[last_action_sent] = :last_action_sent, [updatedAt] = :updatedAt "
        f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({params});"
    )
    return text(sql).bindparams(
        *(bindparam(column.name, type_=column.type) for column in table.columns)
    )
