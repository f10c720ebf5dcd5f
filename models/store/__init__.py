"""Persistence functions: all the SQL there is. Every function takes a keyword-only engine=
and returns frozen records (models/records.py) or plain values, never table objects.

- papers.py: batch upsert through SQLAlchemy Core (ingest's hot path); paper_merge.py, bulk.py;
- candidates.py: the unsent papers of a channel's window, as the ranker's Candidates;
- paper_queries.py: papers for people (list, search, show), enrichment and seed lookups;
- sources.py: configured sources, their fetch state and the ingest log;
- profiles.py: profiles, their seeds and channels; profile_views.py: the ranker's and the
  declarative views of one; seeds.py: pending seeds;
- ledger.py: digests, deliveries and what was sent to whom; digest_archive.py: the archive
  read for people; claims.py: the dispatcher's claims and schedules; locks.py: channel locks;
- portable.py: export/import rows; summaries.py: the TL;DR cache.
"""
