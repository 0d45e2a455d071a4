#!/usr/bin/env bash
# All set-up on a fresh Debian 12 machine: system packages (when root), npm dependencies, build.
# Safe to run again. Used by the README's two commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Kernel firewalls and netns tooling (lab, kernel tests); real peers for the interop tests.
  apt-get install -y -qq --no-install-recommends \
    iproute2 nftables iptables conntrack python3 nmap stun-client coturn kamailio kamailio-tls-modules openssl dnsmasq-base chromium fonts-dejavu-core graphviz \
    >/dev/null
  # GNU time: test/fuzz/cli.test.ts reads each child's peak RSS with /usr/bin/time -f %M.
  apt-get install -y -qq --no-install-recommends time >/dev/null
  # Packaged daemons must not run as system services: tests start their own, inside namespaces.
  for svc in coturn kamailio; do
    (systemctl stop "$svc" || service "$svc" stop || true) >/dev/null 2>&1
  done
else
  echo "setup: not root (or no apt-get): skipping system packages; lab and kernel tests need root" >&2
fi

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
