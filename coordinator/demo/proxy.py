"""nginx in front of the demo's web processes, run in the foreground by the
launcher with a configuration rendered under var/nginx (pid, temp files and
logs there too), so no system service or root is needed.

`/socket.io/` goes to the realtime processes (gevent: a socket costs a
greenlet), over a consistent hash of the client's address so a client that
falls back to long-polling keeps reaching the process holding its session;
everything else goes to the API processes, round robin, passing a request
to the next one when a process is gone. tests/deploy runs several of each."""

from __future__ import annotations

import shutil
from pathlib import Path

# Debian installs nginx in /usr/sbin, which a normal user's PATH may lack.
_PLACES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")

CONFIG = """\
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log stderr warn;
# Each proxied socket holds two descriptors (client and upstream).
worker_rlimit_nofile {files};
events {{
    worker_connections {connections};
}}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    # The app refuses bodies over its own limit (2 MB) with a message a person
    # can read; nginx stops far larger ones before they fill its disk.
    client_max_body_size 4m;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        '' close;
    }}
    upstream realtime {{
        hash $remote_addr consistent;
{realtime}
    }}
    upstream api {{
{api}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        # A location that sets any header inherits none: each names them all.
        location /socket.io/ {{
            proxy_pass http://realtime;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A screen may stay quiet for long; Socket.IO pings every 25 s.
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            proxy_buffering off;
        }}
        location / {{
            proxy_pass http://api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 130s;
            # A dead API process refuses the connection: try the next one.
            # nginx resends a POST only when the dead one never got it (no
            # `non_idempotent`); clients retry a 502 with their Idempotency-Key.
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


def binary() -> str | None:
    """The nginx executable, or None when it is not installed."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((p for p in _PLACES if Path(p).is_file()), None)


def render(var: Path, *, port: int, realtime_ports: list[int], api_ports: list[int], sockets: int = 10000) -> Path:
    """Write var/nginx/nginx.conf for these ports (one upstream server per
    realtime and per api process); returns its path."""
    base = var / "nginx"
    (base / "tmp").mkdir(parents=True, exist_ok=True)
    path = base / "nginx.conf"
    path.write_text(
        CONFIG.format(
            dir=base,
            port=port,
            api="\n".join(f"        server 127.0.0.1:{p};" for p in api_ports),
            realtime="\n".join(f"        server 127.0.0.1:{p};" for p in realtime_ports),
            connections=2 * sockets + 1024,
            files=4 * sockets + 2048,
        )
    )
    return path


def command(nginx: str, conf: Path) -> str:
    """The foreground command line (`-e` keeps nginx from opening the system's log first)."""
    return f"{nginx} -p {conf.parent} -c {conf} -e stderr"
