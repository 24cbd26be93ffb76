#!/usr/bin/env bash
# Debian packages the tests use: fasttext (fastText CLI reference), chromium (browser tests),
# tuxpaint-stamps-default (real photographs); wordnet-base (WordNet 3.0, whose offsets are the
# ImageNet wnids) for scripts/generate-imagenet-classes.ts. Installs what is missing when run as root
# with apt-get (README: `sudo bash scripts/system-deps.sh`); otherwise prints the command and fails.
# --check only reports what is missing (the test setup runs it); --ci also wants docker-compose.
set -euo pipefail
need=()
command -v fasttext >/dev/null 2>&1 || need+=(fasttext)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -d /usr/share/tuxpaint/stamps ] || need+=(tuxpaint-stamps-default)
[ -f /usr/share/wordnet/data.noun ] || need+=(wordnet-base)
[ "${1:-}" = "--ci" ] && { command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose); }
[ ${#need[@]} -eq 0 ] && exit 0
if [ "${1:-}" = "--check" ]; then
  echo "missing Debian packages for the tests: ${need[*]}; install them with: sudo bash scripts/system-deps.sh" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "missing system packages for the tests; run: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
