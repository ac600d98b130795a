"""The benchmark's baseline: a bare Flask hello-world, served by the same gunicorn as the portal."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Hello, World!"""
    return "Hello, World!"
