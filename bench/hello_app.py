"""A bare hello-world Flask app: the benchmark's baseline, served by the same gunicorn as the portal.

`gunicorn --no-control-socket -w 2 -b 127.0.0.1:PORT bench.hello_app:app` (from the project root)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """The smallest page Flask can serve."""
    return "Hello, World!"
