#!/usr/bin/env bash
# UDP range probe timing (root, after `npm run build`): the SfB 2015 A/V Edge (203.0.113.30) probes
# "any" (bound here to 198.51.100.50): 10,000 TCP + 10,000 UDP media ports, plus STUN. Two network
# namespaces joined by a veth pair, documentation addresses only; cleaned up on every exit path.
#   bench/probe-udp-range.sh drop      # UDP dropped in the target: every UDP port waits out RFC 5389
#   bench/probe-udp-range.sh listen    # `portmatrix listen --as any` answers, probe --responders
set -euo pipefail
MODE=${1:-drop}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLI=$ROOT/dist/src/cli/main.js
DIR=$(mktemp -d)
A=pmu$$-a
B=pmu$$-b
LP=
cleanup() {
  if [ -n "$LP" ]; then kill "$LP" 2>/dev/null || true; fi
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
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
if [ "$MODE" = drop ]; then
  printf 'table inet pmu {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    meta l4proto udp drop\n  }\n}\n' |
    ip netns exec "$B" nft -f -
else
  ip netns exec "$B" node "$CLI" listen -t "$DIR/topology.yaml" --as any > "$DIR/listen.log" 2>&1 &
  LP=$!
  for _ in $(seq 1 60); do grep -q "sockets bound" "$DIR/listen.log" && break; sleep 0.5; done
  tail -n 1 "$DIR/listen.log"
  EXTRA=(--responders)
fi
start=$(date +%s.%N)
ip netns exec "$A" node "$CLI" probe -t "$DIR/topology.yaml" --from av-edge --format json -o "$DIR/out.json" "${EXTRA[@]}" || true
end=$(date +%s.%N)
python3 - "$DIR/out.json" "$start" "$end" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[1]))
print(f"wall {float(sys.argv[3]) - float(sys.argv[2]):.2f} s (probe's own duration {d['summary']['durationMs'] / 1000:.2f} s)")
for (t, f, s, r), n in sorted(collections.Counter((x["transport"], x["flow"], x["state"], x["reason"]) for x in d["results"]).items()):
    print(f"  {n:6d} {t} {f} {s} ({r})")
PY
