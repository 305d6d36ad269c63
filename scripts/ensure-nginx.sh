#!/usr/bin/env bash
# The nginx site (deploy/nginx/reviews.conf) is checked with `nginx -t` from Debian's nginx
# (tests/deploy/test_nginx.py). Install it from Debian's packages when it is missing; the package's
# own service is not needed for the check and is left stopped.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "nginx is missing: run 'sudo apt-get install -y nginx' (needed by tests/deploy/test_nginx.py)" >&2
    exit 1
fi
echo "Installing Debian's nginx for the deploy tests..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
command -v nginx || ls /usr/sbin/nginx
