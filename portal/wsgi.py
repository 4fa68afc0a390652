"""WSGI entry point (gunicorn, mod_wsgi)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from core.wsgi import application as portal_application

application = portal_application()
