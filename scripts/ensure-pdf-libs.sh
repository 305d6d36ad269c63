#!/usr/bin/env bash
# The published report's PDF is drawn by WeasyPrint, which needs Pango from Debian's packages (the
# Python package cannot bring it). Install them when WeasyPrint cannot load.
set -euo pipefail
PY="${1:-.venv/bin/python}"
if "$PY" -c "import weasyprint" >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "WeasyPrint's system libraries are missing: run 'sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core' (needed for the published report's PDF)" >&2
    exit 1
fi
echo "Installing Pango for WeasyPrint (the published report's PDF)..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
"$PY" -c "import weasyprint"
