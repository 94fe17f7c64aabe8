#!/usr/bin/env bash
# Installs the Debian packages named that are not installed yet (without recommends), for the
# project's setup scripts: `bash scripts/apt-ensure.sh LABEL PACKAGE...`. dpkg-query is fast;
# apt-get update runs only when something is missing, and waits for another apt holding the lock.
# Prints what it does on stderr (prefixed [LABEL]); prints nothing on stdout.
set -euo pipefail
label=$1
shift
missing=()
for p in "$@"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[$label] debian packages present ($*)" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "[$label] apt-get installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >&2
