"""The yardstick of ``python -m bench reads``: a bare Flask app answering ``{"status": "ok"}``,
served by gunicorn under the same settings as Anxun (``gunicorn bench.bare:app``)."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
