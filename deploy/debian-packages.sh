#!/bin/sh
# Install the Debian packages ParkOps needs, if any are missing.
#   deploy/debian-packages.sh run    -> what the app needs (PDF rendering, CJK fonts)
#   deploy/debian-packages.sh test   -> plus Chromium (browser tests), poppler-utils (pdftotext)
#                                       and npm (axe-core for the accessibility test)
#   deploy/debian-packages.sh bench  -> plus wrk (the HTTP benchmarks' load generator)
# As root it installs them with apt-get; otherwise it prints the exact command and carries on.
set -eu
RUN_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk shared-mime-info"
TEST_PACKAGES="chromium poppler-utils npm"
BENCH_PACKAGES="wrk"

packages="$RUN_PACKAGES"
[ "${1:-run}" = "test" ] && packages="$RUN_PACKAGES $TEST_PACKAGES"
[ "${1:-run}" = "bench" ] && packages="$RUN_PACKAGES $BENCH_PACKAGES"

missing=""
for p in $packages; do
  # npm may come with another Node.js build (e.g. NodeSource's nodejs), which Debian's npm
  # package conflicts with: any working npm will do.
  if [ "$p" = "npm" ] && command -v npm >/dev/null 2>&1; then
    continue
  fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "WARNING: these Debian packages are missing:$missing"
  echo "         install them with: sudo apt-get install -y$missing"
  echo "         (PDFs need the fonts and libraries; browser tests need chromium)."
fi
