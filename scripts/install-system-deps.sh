#!/usr/bin/env bash
# Installs the system packages the test suite needs, with apt-get, only when missing.
# Runs as root (CI does); otherwise it says what to install and fails.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
# Debian's Chromium for the browser tests (Playwright's own browser download fails here).
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
# Debian's wapiti for the authenticated scan; wrk for benchmarks/web_bench.py.
command -v wapiti >/dev/null 2>&1 || missing+=(wapiti)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
# poppler-utils: the tests read the programmes' certificates back with pdftotext;
# DejaVu Sans: the certificates' Unicode font (programmes/certificate.py), in production too.
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Redis: the shared store of login throttling; the suite starts one on a loopback port.
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}. Install them (apt-get install ${missing[*]}) or run as root." >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
