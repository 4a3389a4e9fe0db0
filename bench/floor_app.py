"""The bare stack's web process (bench/floor.py): one POST that inserts a
row into SQLite and queues an RQ job, and Socket.IO on the same Redis
message queue. No business logic, no auth, no events table: the floor.

    FLOOR_DB=... FLOOR_REDIS=... gunicorn -k gevent -w 1 bench.floor_app:app"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, jsonify
from flask_socketio import SocketIO
from redis import Redis
from rq import Queue

app = Flask(__name__)
socketio = SocketIO(app, message_queue=os.environ["FLOOR_REDIS"], async_mode="gevent")
queue = Queue("floor", connection=Redis.from_url(os.environ["FLOOR_REDIS"]))


@app.post("/requests")
def create():
    with sqlite3.connect(os.environ["FLOOR_DB"], timeout=30) as con:
        request_id = con.execute("INSERT INTO requests (status) VALUES ('requested')").lastrowid
    queue.enqueue("bench.floor.assign", request_id)
    return jsonify(id=request_id), 201
