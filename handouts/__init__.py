"""Printable PDF patient handouts from a muscle library and jinja2 templates."""

__version__ = "0.1.0"
