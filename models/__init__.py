"""Data: settings, the records that flow between stages, SQLModel tables and the store."""
