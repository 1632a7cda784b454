"""Linked data: CTDL JSON-LD documents and checks against the shipped CTDL vocabulary."""
