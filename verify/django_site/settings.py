"""A small Django project for verify/django_stack.py's service-level case: its database from
DATABASE_URL through dj-database-url, as real projects read it, with the connection settings
the case passes in the environment."""
import os

import dj_database_url

SECRET_KEY = "poolfix-verify"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "django_site.urls"
INSTALLED_APPS = ["django.contrib.contenttypes"]
MIDDLEWARE = []
USE_TZ = True
DATABASES = {
    "default": dj_database_url.config(
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        disable_server_side_cursors=os.environ.get("DISABLE_SERVER_SIDE_CURSORS") == "true",
    )
}
