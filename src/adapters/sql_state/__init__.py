"""Legacy-sync state (catalogue §4) in SQL: SQL Server in production, else PostgreSQL or SQLite."""
