#!/bin/sh
# The benchmark's peer: django-helpdesk 2.6.1 in its own virtualenv (bench/peer/.venv, git-ignored), with the
# same Django, DRF, gunicorn and PostgreSQL driver versions as Sigap's, so only the application differs.
# Idempotent: a second run only checks the pins. Used by `bench/intake.py --peer`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    "django-helpdesk==2.6.1" "Django==5.2.19" "djangorestframework==3.18.3" "gunicorn==27.0.1" \
    "psycopg2-binary==2.9.13"
"$venv/bin/python" -c "import helpdesk, django; print('peer ready: django-helpdesk', helpdesk.__version__ if hasattr(helpdesk, '__version__') else '2.6.1', 'on Django', django.get_version())"
