"""Extractors: a pydicom Dataset in, a study record out (see docs/architecture.md).

Pure functions: no Flask, no database, no site settings.
"""
