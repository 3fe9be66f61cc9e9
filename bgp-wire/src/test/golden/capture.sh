#!/usr/bin/env bash
# Captures the golden BGP sessions under bgp-wire/src/test/resources/golden/ from real daemons peering with each
# other in network namespaces this script creates and removes (root needed).
#
#   skcaphub  FRR bgpd + zebra, AS 65001, route reflector, cluster-id 10.254.0.100
#     |-- skcgoh/skcgos -- skcapgo    GoBGP, AS 65002 (eBGP; IPv4 session + IPv6 session)   -> frr-gobgp.pcap
#     |-- skcbdh/skcbds -- skcapbird  BIRD,  AS 65001 (iBGP RR client; IPv4 + IPv6)          -> frr-bird.pcap
#     '-- skcexh/skcexs -- skcapexa   ExaBGP, AS 65001 (iBGP RR client; IPv4, scripted)      -> frr-exabgp.pcap
#
# One capture per link, taken on the hub's end of the veth with dumpcap (filter: tcp port 179, pcap format).
# The script then drives the sessions through every message type: OPENs, UPDATEs (announcements, withdrawals,
# aggregates, reflected routes, End-of-RIB), KEEPALIVEs, ROUTE-REFRESH (plain and enhanced, RFC 7313) and
# NOTIFICATION Cease/Administrative Shutdown with a shutdown communication (RFC 9003).
#
# Usage: capture.sh [OUTDIR]      (default: the golden resources directory next to this script)
# The configuration files are in ../resources/golden/config/ and are used unchanged.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
GOLDEN=$(cd "$HERE/../resources/golden" && pwd)
CONF=$GOLDEN/config
OUT=${1:-$GOLDEN}
WORK=/tmp/skcap
HUB=skcaphub
GO=skcapgo
BD=skcapbird
EX=skcapexa
ALL_NS="$HUB $GO $BD $EX"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
vtysh_hub() { in_ns "$HUB" vtysh --vty_socket "$WORK/frr" "$@"; }
gobgp_go() { in_ns "$GO" gobgp -u 127.0.0.1 -p 50051 "$@"; }
birdc_bd() { in_ns "$BD" birdc -s "$WORK/bird/bird.ctl" "$@"; }

cleanup() {
  set +e
  for ns in $ALL_NS; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do
        kill -INT "$pid" 2>/dev/null
      done
    fi
  done
  sleep 1
  for ns in $ALL_NS; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do
        kill -9 "$pid" 2>/dev/null
      done
      ip netns del "$ns"
    fi
  done
}

# Polls "$@" every 0.2 s until it succeeds; fails after $1 seconds with message $2.
wait_for() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      log "timed out waiting for $what"
      exit 1
    fi
    sleep 0.2
  done
  log "ok: $what"
}

for tool in /usr/lib/frr/bgpd /usr/lib/frr/zebra vtysh gobgpd gobgp bird birdc exabgp dumpcap jq; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "must run as root (creates network namespaces)" >&2; exit 1; }

cleanup
# SKCAP_KEEP=1 leaves the namespaces and daemons running after a failure, for inspection.
if [[ ${SKCAP_KEEP:-0} != 1 ]]; then
  trap cleanup EXIT
fi
rm -rf "$WORK"
mkdir -p "$WORK"/{frr,bird,gobgp,exabgp,pcap}

# ---- topology -------------------------------------------------------------------------------------------------
for ns in $ALL_NS; do
  ip netns add "$ns"
  in_ns "$ns" ip link set lo up
done
# link NAME SPOKE-NS INDEX: hub 10.254.INDEX.1/30 + fd00:254::INDEX:1/112, spoke .2 / ::INDEX:2
link() {
  local name=$1 spoke=$2 i=$3
  ip link add "skc${name}h" netns "$HUB" type veth peer name "skc${name}s" netns "$spoke"
  in_ns "$HUB" ip addr add "10.254.$i.1/30" dev "skc${name}h"
  in_ns "$HUB" ip addr add "fd00:254::$i:1/112" dev "skc${name}h" nodad
  in_ns "$spoke" ip addr add "10.254.$i.2/30" dev "skc${name}s"
  in_ns "$spoke" ip addr add "fd00:254::$i:2/112" dev "skc${name}s" nodad
  in_ns "$HUB" ip link set "skc${name}h" up
  in_ns "$spoke" ip link set "skc${name}s" up
}
link go "$GO" 1
link bd "$BD" 2
link ex "$EX" 3
# Link-local addresses need DAD to finish before daemons bind them.
no_tentative() { [[ -z $(in_ns "$HUB" ip -6 addr show tentative) ]]; }
wait_for 10 "link-local addresses" no_tentative

# ---- captures -------------------------------------------------------------------------------------------------
declare -A CAPTURE_PID
for pair in go:frr-gobgp bd:frr-bird ex:frr-exabgp; do
  ifname="skc${pair%%:*}h"
  file="$WORK/pcap/${pair#*:}.pcap"
  ip netns exec "$HUB" dumpcap -q -P -i "$ifname" -f 'tcp port 179' -w "$file" 2>"$WORK/pcap/${pair#*:}.log" &
  CAPTURE_PID[${pair#*:}]=$!
done
for name in frr-gobgp frr-bird frr-exabgp; do
  wait_for 10 "capture $name running" test -s "$WORK/pcap/$name.pcap"
done

# ---- daemons --------------------------------------------------------------------------------------------------
cp "$CONF/frr-hub.conf" "$WORK/frr/bgpd.conf"
cp "$CONF/frr-zebra.conf" "$WORK/frr/zebra.conf"
cp "$CONF/gobgpd.toml" "$WORK/gobgp/gobgpd.toml"
cp "$CONF/bird.conf" "$WORK/bird/bird.conf"
cp "$CONF/exabgp.conf" "$WORK/exabgp/exabgp.conf"
chown -R frr:frr "$WORK/frr"

FRR_COMMON=(-d -P 0 -z "$WORK/frr/zserv.api" --vty_socket "$WORK/frr")
in_ns "$HUB" /usr/lib/frr/zebra "${FRR_COMMON[@]}" -f "$WORK/frr/zebra.conf" -i "$WORK/frr/zebra.pid" \
  --log "file:$WORK/frr/zebra.log"
wait_for 10 "zebra socket" test -S "$WORK/frr/zserv.api"
in_ns "$HUB" /usr/lib/frr/bgpd "${FRR_COMMON[@]}" -f "$WORK/frr/bgpd.conf" -i "$WORK/frr/bgpd.pid" \
  --log "file:$WORK/frr/bgpd.log"
in_ns "$GO" gobgpd -f "$WORK/gobgp/gobgpd.toml" --api-hosts 127.0.0.1:50051 --pprof-disable -p \
  >"$WORK/gobgp/gobgpd.log" 2>&1 &
in_ns "$BD" bird -c "$WORK/bird/bird.conf" -s "$WORK/bird/bird.ctl" -P "$WORK/bird/bird.pid"
in_ns "$EX" env exabgp.daemon.user=root exabgp.daemon.daemonize=false exabgp.api.cli=false \
  exabgp.log.destination="$WORK/exabgp/exabgp.log" exabgp.cache.attributes=false \
  exabgp "$WORK/exabgp/exabgp.conf" >"$WORK/exabgp/stdout.log" 2>&1 &

established() {
  local n
  n=$(vtysh_hub -c 'show bgp neighbors json' | jq '[.[] | select(.bgpState == "Established")] | length')
  [[ $n == 5 ]]
}
wait_for 60 "all five sessions Established" established

# ---- routes from GoBGP ----------------------------------------------------------------------------------------
gobgp_go global rib add -a ipv4 10.254.192.0/24 origin igp med 20 community 65002:1,no-export \
  large-community 65002:1:1
gobgp_go global rib add -a ipv4 10.254.193.0/24 origin egp aspath "65100 {65101,65102}" community 65002:2
gobgp_go global rib add -a ipv4 10.254.208.0/24 origin incomplete
gobgp_go global rib add -a ipv4 10.254.209.0/24
gobgp_go global rib add -a ipv4 10.254.194.0/24 med 4
gobgp_go global rib add -a ipv6 2001:db8:201::/48 community 65002:6
gobgp_go global rib add -a ipv6 2001:db8:202::/48 med 7
gobgp_go global rib add -a ipv6 2001:db8:1201::/48 large-community 65002:6:6

frr_has() { # AFI PREFIX
  vtysh_hub -c "show bgp $1 unicast $2 json" | jq -e '.paths | length > 0'
}
wait_for 20 "FRR learnt 10.254.193.0/24" frr_has ipv4 10.254.193.0/24
wait_for 20 "FRR learnt 2001:db8:202::/48" frr_has ipv6 2001:db8:202::/48
bird_has() { [[ $(birdc_bd show route for "$1") == *"$1"* ]]; }
# 10.254.194.0/24 and 2001:db8:1201::/48 are reflected as they are; 2001:db8:202::/48 only inside its aggregate.
wait_for 20 "BIRD learnt 10.254.194.0/24" bird_has 10.254.194.0/24
wait_for 20 "BIRD learnt 2001:db8:1201::/48" bird_has 2001:db8:1201::/48
wait_for 20 "BIRD learnt 2001:db8:200::/40" bird_has 2001:db8:200::/40

# ---- withdrawals ----------------------------------------------------------------------------------------------
gobgp_go global rib del -a ipv4 10.254.194.0/24
gobgp_go global rib del -a ipv6 2001:db8:1201::/48
gobgp_go global rib del -a ipv6 2001:db8:201::/48
bird_lacks() { ! bird_has "$1"; }
wait_for 20 "BIRD lost 10.254.194.0/24" bird_lacks 10.254.194.0/24
wait_for 20 "BIRD lost 2001:db8:1201::/48" bird_lacks 2001:db8:1201::/48

# ---- ROUTE-REFRESH --------------------------------------------------------------------------------------------
vtysh_hub -c 'clear bgp ipv4 unicast 10.254.1.2 soft in'
vtysh_hub -c 'clear bgp ipv6 unicast fd00:254::1:2 soft in'
vtysh_hub -c 'clear bgp ipv4 unicast 10.254.2.2 soft in'
vtysh_hub -c 'clear bgp ipv4 unicast 10.254.3.2 soft in'
gobgp_go neighbor 10.254.1.1 softresetin -a ipv4
gobgp_go neighbor fd00:254::1:1 softresetin -a ipv6
birdc_bd reload in frr4
birdc_bd reload in frr6

# A few KEEPALIVEs (hold time 3 s: one a second) and time for the refreshes to be answered.
sleep 4

# ---- NOTIFICATION Cease/Administrative Shutdown with a shutdown communication ---------------------------------
vtysh_hub -c 'configure terminal' -c 'router bgp 65001' \
  -c 'neighbor 10.254.1.2 shutdown message speakerkit golden capture: FRR shuts down the IPv4 session' \
  -c 'neighbor 10.254.2.2 shutdown message speakerkit golden capture: FRR shuts down the BIRD IPv4 session' \
  -c 'neighbor 10.254.3.2 shutdown message speakerkit golden capture: bye ExaBGP'
birdc_bd disable frr6 '"speakerkit golden capture: BIRD shuts down the IPv6 session"'
gobgp_go neighbor fd00:254::1:1 disable
none_established() {
  local n
  n=$(vtysh_hub -c 'show bgp neighbors json' | jq '[.[] | select(.bgpState == "Established")] | length')
  [[ $n == 0 ]]
}
wait_for 20 "all sessions down" none_established
sleep 1

for name in "${!CAPTURE_PID[@]}"; do
  kill -INT "${CAPTURE_PID[$name]}"
done
wait "${CAPTURE_PID[@]}" || true

mkdir -p "$OUT"
for name in frr-gobgp frr-bird frr-exabgp; do
  cp "$WORK/pcap/$name.pcap" "$OUT/$name.pcap"
  log "$OUT/$name.pcap: $(stat -c %s "$OUT/$name.pcap") bytes"
done
{
  echo "# Captured $(date -u +%Y-%m-%dT%H:%M:%SZ) by bgp-wire/src/test/golden/capture.sh"
  dpkg-query -W -f '${Package} ${Version}\n' frr bird2 gobgpd exabgp tshark
} >"$OUT/versions.txt"
cat "$OUT/versions.txt" >&2
