"""Entry point for gunicorn: ``gunicorn wsgi:app``."""
import gc

from app import create_app
from config import config_from_env

app = create_app(config_from_env())
# What the app built to start (modules, routes, schemas, mappers: some 200,000 objects) lives as
# long as the process. Frozen, it is out of the collector's reach, and a full collection no
# longer walks all of it (one every ~1,000 reads, ~0.1 ms a request on average: issue 18).
gc.freeze()
