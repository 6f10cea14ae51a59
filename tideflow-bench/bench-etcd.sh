#!/usr/bin/env bash
# Sourced by the benchmark scripts that need a store: starts a real etcd on free loopback ports,
# in a temporary data directory removed on exit, and sets ETCD_URI to its client address.
# etcd must be on the PATH (apt-get install etcd-server).
command -v etcd >/dev/null || { echo "etcd is not on the PATH (apt-get install etcd-server)" >&2; exit 1; }
bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
etcd_port="$(bench_free_port)"
etcd_peer="$(bench_free_port)"
etcd_data="$(mktemp -d)"
etcd --data-dir "$etcd_data" --listen-client-urls "http://127.0.0.1:$etcd_port" \
  --advertise-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "default=http://127.0.0.1:$etcd_peer" >"$etcd_data/etcd.log" 2>&1 &
etcd_pid=$!
# The script's own exit status survives the clean-up (etcd ends on SIGTERM with 143).
trap 'rc=$?; kill "$etcd_pid" 2>/dev/null || true; wait "$etcd_pid" 2>/dev/null || true; rm -rf "$etcd_data"; exit $rc' EXIT
ETCD_URI="etcd://127.0.0.1:$etcd_port"
