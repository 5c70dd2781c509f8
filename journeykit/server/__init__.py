"""REST API and dashboard of a workspace (``journeykit serve``): see docs/server.md.

:func:`journeykit.server.app.create_app` builds the FastAPI application.
"""
