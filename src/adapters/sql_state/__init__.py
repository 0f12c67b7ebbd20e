"""Legacy-sync state (docs/state-store.md) in SQL: SQL Server in production, else PostgreSQL or
SQLite."""
