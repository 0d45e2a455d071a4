#!/usr/bin/env bash
# All set-up on a fresh Debian 12 machine: system packages (when root), npm dependencies, build.
# Safe to run again. Used by the README's two commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Debian starts a packaged daemon (nginx, haproxy …) on install; ours are test peers only, started
  # by the tests inside namespaces. policy-rc.d (invoke-rc.d's hook) stops that for this run.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  # Kernel firewalls and netns tooling (lab, kernel tests); real peers for the interop tests.
  apt-get install -y -qq --no-install-recommends \
    iproute2 nftables iptables conntrack python3 nmap stun-client coturn kamailio kamailio-tls-modules openssl dnsmasq-base chromium fonts-dejavu-core graphviz \
    >/dev/null
  # A C compiler and make: npm run build builds the native TCP sweep (native/sweep, node-gyp).
  apt-get install -y -qq --no-install-recommends make g++ >/dev/null
  # GNU time: test/fuzz/cli.test.ts reads each child's peak RSS with /usr/bin/time -f %M.
  apt-get install -y -qq --no-install-recommends time >/dev/null
  # xmllint: test/report/hostile-text.test.ts checks that JUnit output quoting hostile rule text is well-formed XML.
  apt-get install -y -qq --no-install-recommends libxml2-utils >/dev/null
  # hivexml (libhivex): test/corpus/regf-hivexml.test.ts checks the .wfw (registry hive) reader against it.
  apt-get install -y -qq --no-install-recommends libhivex-bin >/dev/null
  # systemd-analyze for test/apply/units.test.ts (verifies contrib/systemd; systemd need not be PID 1).
  apt-get install -y -qq --no-install-recommends systemd >/dev/null
  # Real TLS servers for test/live/real-servers.test.ts (probe against nginx, stunnel, gnutls-serv, haproxy).
  apt-get install -y -qq --no-install-recommends nginx stunnel4 gnutls-bin haproxy >/dev/null
  # A real SIP user agent (SIP over TLS) for test/live/real-servers.test.ts.
  apt-get install -y -qq --no-install-recommends baresip-core >/dev/null
  # firewalld 1.3.3 itself for test/kernel/firewalld-differential.test.ts: started by the tests only
  # inside a namespace they made, on a private D-Bus (never as the host's service: it would rewrite
  # this machine's firewall). dbus brings dbus-daemon and dbus-send.
  apt-get install -y -qq --no-install-recommends firewalld dbus >/dev/null
  # ufw 0.36.2 itself for test/kernel/ufw-differential.test.ts: its boot script runs only inside a
  # namespace the test made. Installed disabled (debconf's ufw/enable defaults to false: ENABLED=no
  # in /etc/ufw/ufw.conf), so its service loads nothing on this machine even at boot; it is no
  # daemon, so nothing to stop (`service ufw stop` would flush a host firewall that is enabled).
  apt-get install -y -qq --no-install-recommends ufw >/dev/null
  if ! grep -q '^ENABLED=no' /etc/ufw/ufw.conf; then
    echo "setup: /etc/ufw/ufw.conf has ufw enabled on this machine; the tests never need that" >&2
  fi
  # Packaged daemons must not run as system services: tests start their own, inside namespaces.
  for svc in coturn kamailio nginx haproxy stunnel4 firewalld; do
    (systemctl stop "$svc" || service "$svc" stop || true) >/dev/null 2>&1
  done
else
  echo "setup: not root (or no apt-get): skipping system packages; lab and kernel tests need root" >&2
fi

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
