"""Reporting: the terminal tables, the validate overview, the trace timeline and figures."""
