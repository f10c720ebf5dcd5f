"""The ingest stage: fetch, parse, store (dedup), enrich; backfill of older listings."""
