"""Netra: an NLP pipeline that finds civil servants campaigning on social media."""

__version__ = "0.1.0"
