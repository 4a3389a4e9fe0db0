#!/usr/bin/env bash
# Installs the Debian packages `make demo` needs, only when missing: nginx, the
# proxy in front of the realtime and API processes. Without it (or without
# apt-get) the demo still runs, as one web process.
set -euo pipefail
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "nginx is missing and apt-get is not here: the demo runs one web process instead." >&2
  exit 0
fi
echo "Installing Debian packages: nginx"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! { $SUDO apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nginx >/dev/null; }; then
  echo "Could not install nginx: the demo runs one web process instead." >&2
fi
