"""Alembic migrations for the drafts store (a package so setuptools ships the scripts)."""
