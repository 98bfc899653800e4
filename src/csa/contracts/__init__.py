"""API and event contracts: OpenAPI and AsyncAPI documents generated from the code.

``csa docs generate`` writes them under ``docs/api/``; ``csa docs check`` fails when the
committed documents and the code differ. ``breaking`` compares two OpenAPI documents.
"""
