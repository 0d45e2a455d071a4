#!/usr/bin/env bash
# UDP range probe timing (root, after `npm run build`): the SfB 2015 A/V Edge (203.0.113.30) probes
# "any" (bound here to 198.51.100.50): 10,000 TCP + 10,000 UDP media ports, plus STUN. Two network
# namespaces joined by a veth pair, documentation addresses only; cleaned up on every exit path.
#   bench/probe-udp-range.sh drop      # UDP dropped in the target: every UDP port waits out RFC 5389
#   bench/probe-udp-range.sh listen    # `portmatrix listen --as any` answers, probe --responders
#   bench/probe-udp-range.sh reject    # UDP rejected (port unreachable, ICMP rate-limited) in the target
#   bench/probe-udp-range.sh nmap [N] [REPS] [drop|listen]
#                                      # media range cut to N ports (1000), UDP dropped (or answered
#                                      # by listen): probe --transport udp and nmap -sU, interleaved,
#                                      # REPS (3) each
# PROBE_EXTRA="--udp-confirm 120000" adds options to every probe run.
# drop, reject and listen time the whole probe and then its UDP part alone (--transport udp). One
# process may hold at most the hard open-file limit of sockets (20,000 here; raising it needs
# CAP_SYS_RESOURCE) and the stand-in needs 20,006: listen binds the rest in a helper process.
set -euo pipefail
MODE=${1:-drop}
N=${2:-1000}
REPS=${3:-3}
TARGET=$MODE
if [ "$MODE" = nmap ]; then TARGET=${4:-drop}; fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLI=${PORTMATRIX_CLI:-$ROOT/dist/src/cli/main.js}  # another build to compare: PORTMATRIX_CLI=…/main.js
DIR=$(mktemp -d)
A=pmu$$-a
B=pmu$$-b
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
MEDIA=
if [ "$MODE" = nmap ]; then MEDIA="variables: {media: 50000-$((50000 + N - 1))}"; fi
cat > "$DIR/topology.yaml" <<YAML
profile: sfb2015-edge-external
endpoints:
  any: 198.51.100.50
  xmpp-proxy: 203.0.113.10
  access-edge: 203.0.113.10
  webconf-edge: 203.0.113.20
  av-edge: 203.0.113.30
features: [xmpp-federation, federation, skype-consumer-federation, multiple-edge-pools]
firewall: {kind: host, host: av-edge}
$MEDIA
YAML
ip netns add "$A"
ip netns add "$B"
ip link add "pmua$$" netns "$A" type veth peer name "pmub$$" netns "$B"
ip -n "$A" addr add 203.0.113.30/32 dev "pmua$$"
ip -n "$B" addr add 198.51.100.50/32 dev "pmub$$"
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set "pmua$$" up
ip -n "$B" link set "pmub$$" up
ip -n "$A" route add 198.51.100.50/32 dev "pmua$$"
ip -n "$B" route add 203.0.113.30/32 dev "pmub$$"
EXTRA=()
if [ "$TARGET" = listen ]; then
  # One process: past its open-file limit it starts helper processes for the rest (listen/spread.ts).
  ip netns exec "$B" node "$CLI" listen -t "$DIR/topology.yaml" --as any > "$DIR/listen.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do grep -q "sockets bound" "$DIR/listen.log" && break; sleep 0.5; done
  echo "listen: $(grep -c 'could not bind' "$DIR/listen.log" || true) ports not bound; $(grep 'helper' "$DIR/listen.log" || true) $(tail -n 1 "$DIR/listen.log")"
  EXTRA=(--responders)
else
  # drop: silent; reject: port unreachable, under the target kernel's default ICMP rate limit.
  VERDICT=drop
  if [ "$TARGET" = reject ]; then VERDICT=reject; fi
  printf 'table inet pmu {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    meta l4proto udp %s\n  }\n}\n' "$VERDICT" |
    ip netns exec "$B" nft -f -
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# probe LABEL [ARGS...]: one timed run; wall, probe's own duration, CPU time and the states.
probe() {
  local label=$1
  shift
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$DIR/cpu" ip netns exec "$A" node "$CLI" probe -t "$DIR/topology.yaml" \
    --from av-edge --format json -o "$DIR/out.json" "$@" ${PROBE_EXTRA:-} || true
  end=$(date +%s.%N)
  python3 - "$DIR/out.json" "$start" "$end" "$label" "$(tail -n 1 "$DIR/cpu")" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[1]))
u, s = (float(x) for x in sys.argv[5].split())
print(f"{sys.argv[4]}: wall {float(sys.argv[3]) - float(sys.argv[2]):.2f} s (probe's own duration {d['summary']['durationMs'] / 1000:.2f} s, CPU {u + s:.2f} s)")
for (t, f, st, r), n in sorted(collections.Counter((x["transport"], x["flow"], x["state"], x["reason"]) for x in d["results"]).items()):
    print(f"  {n:6d} {t} {f} {st} ({r})")
PY
}

# nmap -sU over the same UDP ports from the same namespace: wall, CPU time and the states it reports.
nmap_udp() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$DIR/cpu" ip netns exec "$A" nmap -n -Pn -sU -S 203.0.113.30 -e "pmua$$" \
    -p "50000-$((50000 + N - 1)),3478" -oX "$DIR/nmap.xml" 198.51.100.50 > /dev/null
  end=$(date +%s.%N)
  python3 - "$DIR/nmap.xml" "$start" "$end" "$(tail -n 1 "$DIR/cpu")" <<'PY'
import sys, collections, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
states = collections.Counter(p.find("state").get("state") for p in root.iter("port"))
for e in root.iter("extraports"):
    states[e.get("state")] += int(e.get("count"))
u, s = (float(x) for x in sys.argv[4].split())
print(f"nmap -sU: wall {float(sys.argv[3]) - float(sys.argv[2]):.2f} s (CPU {u + s:.2f} s): {dict(states)}")
PY
}

if [ "$MODE" = nmap ]; then
  for r in $(seq 1 "$REPS"); do
    probe "run $r probe --transport udp ($N + 1 ports)" --transport udp "${EXTRA[@]}"
    nmap_udp
  done
else
  probe "whole probe" "${EXTRA[@]}"
  # A build from before probe --transport (PORTMATRIX_CLI) times the whole only.
  if node "$CLI" probe --help | grep -q -- --transport; then
    probe "UDP part alone (--transport udp)" --transport udp "${EXTRA[@]}"
  fi
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
