"""Create the PostgreSQL test database named by a URL if it does not exist yet."""

import sys
from urllib.parse import urlsplit

import psycopg

admin_url, test_url = sys.argv[1], sys.argv[2]
name = urlsplit(test_url).path.lstrip("/")
with psycopg.connect(admin_url, autocommit=True) as connection:
    exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if not exists:
        connection.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")
    else:
        print(f"database {name} exists")
