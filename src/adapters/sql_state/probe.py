"""What ``dsi-jobs check`` learns from the state database: it answers, and holds the tables.

Read-only: unlike start-up (``create_state_tables``) the check never creates anything, so it
reports tables a first start would have to create, which needs that permission.
"""

import asyncio

from sqlalchemy import Connection, inspect

from adapters.sql_state.engine import StateEngine
from adapters.sql_state.errors import translate_db_errors
from adapters.sql_state.tables import SCHEMA, metadata
from domain.errors import UpstreamMisconfigured


async def probe_state_database(engine: StateEngine, timeout_s: float) -> str:
    """Connect and look for the three tables; what was found, or raise saying what is not."""
    with translate_db_errors(engine.label, "check the state tables"):
        async with asyncio.timeout(timeout_s):
            missing = await engine.transaction(_missing_tables)
    if missing:
        raise UpstreamMisconfigured(
            f"state database '{engine.label}' lacks {', '.join(missing)} (a first start "
            "creates them if its login may)"
        )
    return f"{engine.dialect_name} database '{engine.label}' with the three state tables"


def _missing_tables(connection: Connection) -> list[str]:
    schema = None if connection.dialect.name == "sqlite" else SCHEMA
    inspector = inspect(connection)
    return [
        table.name
        for table in metadata.sorted_tables
        if not inspector.has_table(table.name, schema=schema)
    ]
