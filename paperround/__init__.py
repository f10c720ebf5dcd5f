"""Paperround: a self-hosted daily research-paper digest."""

__version__ = "0.1.0"
