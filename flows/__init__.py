"""Prefect flows: orchestration only. Domain logic lives in paperround.pipeline."""
