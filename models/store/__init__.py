"""Persistence functions. Every function takes a keyword-only engine= or session=.

- papers.py: batch upsert through SQLAlchemy Core (ingest's hot path) and candidate selection;
- sources.py: configured sources and their fetch state;
- profiles.py: profile CRUD through the ORM;
- ledger.py: digests, deliveries and what was sent to whom.
"""
