#!/usr/bin/env bash
# Throwaway single-node Ceph cluster + RADOS Gateway on 127.0.0.1, for S3 tests.
#
#   scripts/ceph-s3.sh start DIR   # DIR must be absent or empty; writes DIR/env
#   scripts/ceph-s3.sh stop DIR    # kills the recorded PIDs and removes DIR
#
# One monitor, one OSD, no manager, authentication off, msgr2 only; Ceph 16 (Debian 12).
# Optional environment:
#   CEPH_MON_PORT, CEPH_RGW_PORT   fixed ports (default: free ports picked at start)
#   CEPH_OSD_BYTES                 size of the sparse bluestore file (default 20 GiB)
#   CEPH_START_TIMEOUT             seconds allowed for each wait step (default 60)
#
# OSD backend: bluestore on a sparse file, not memstore. Memstore holds every object in
# RAM at about twice its size, and the tests push several 100-300 MB bodies (each stored
# twice for a moment: temporary + final); bluestore only uses disk that is written.
set -euo pipefail

die() { echo "ceph-s3: $*" >&2; exit 1; }

usage() { die "usage: $0 start DIR | stop DIR"; }

[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || dir="$PWD/$dir"
dir=${dir%/}
MARKER="$dir/.zhilu-ceph-s3"
STEP_TIMEOUT=${CEPH_START_TIMEOUT:-60}

free_port() {
  # Asks the kernel for a free port; a small race remains until the daemon binds it.
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_for DESCRIPTION LOGFILE PID COMMAND...: retry COMMAND until it succeeds; fail fast
# (with the daemon's log tail) when the daemon died or the step timed out.
wait_for() {
  local what=$1 log=$2 pid=$3
  shift 3
  local deadline=$((SECONDS + STEP_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if ! ours "$pid"; then
      echo "ceph-s3: $what: daemon (pid $pid) exited; last lines of $log:" >&2
      tail -n 30 "$log" >&2 2>/dev/null || true
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "ceph-s3: $what: not ready after ${STEP_TIMEOUT}s; last lines of $log:" >&2
      tail -n 30 "$log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
}

# start_daemon NAME COMMAND...: run in the foreground of its own session so it survives
# this script, with output to a log so a caller reading our stdout is not kept waiting.
start_daemon() {
  local name=$1
  shift
  setsid "$@" -f >"$dir/log/$name.out" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >>"$dir/pids"
  echo "$pid"
}

cephc() { timeout 20 ceph -c "$dir/ceph.conf" --connect-timeout 10 "$@"; }

start() {
  for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool node setsid; do
    command -v "$bin" >/dev/null ||
      die "$bin not found; install: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common"
  done
  # Admin sockets are DIR/run/<name>.asok and UNIX socket paths are limited to 107 bytes.
  ((${#dir} <= 70)) || die "DIR too long (${#dir} > 70 characters): $dir"
  if [[ -e $dir ]]; then
    [[ -d $dir && -z $(ls -A "$dir") ]] || die "DIR exists and is not empty: $dir"
  fi
  mkdir -p "$dir"/{mon,osd,rgw,run,log}
  : >"$MARKER"
  : >"$dir/pids"
  # Anything failing from here on: stop what was started, keep the logs for a look.
  trap on_start_exit EXIT

  local mon_port=${CEPH_MON_PORT:-$(free_port)}
  local rgw_port=${CEPH_RGW_PORT:-$(free_port)}
  local fsid osd_uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)

  cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_port]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind msgr2 = true
# No cephx; without "crc" radosgw still waits for cephx and hangs for 300 s.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
keyring = $dir/keyring
run dir = $dir/run
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon data avail crit = 1
mon data avail warn = 2
mon warn on insecure global id reclaim allowed = false

[client]
# Short-lived CLI clients need no admin socket.
admin socket =

[mon.a]
mon data = $dir/mon
admin socket = $dir/run/mon.a.asok
# Commits proposals at once: start-up ~2 s instead of ~13 s, no stall on new pools.
paxos propose interval = 0.01

[osd.0]
osd data = $dir/osd
admin socket = $dir/run/osd.0.asok
osd objectstore = bluestore
bluestore block size = ${CEPH_OSD_BYTES:-21474836480}
osd memory target = 1073741824
# A fresh, empty store: the post-mkfs fsck only costs start-up time.
bluestore fsck on mkfs = false

[client.rgw.a]
rgw data = $dir/rgw
admin socket = $dir/run/client.rgw.a.asok
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw init timeout = 30
rgw thread pool size = 64
EOF
  : >"$dir/keyring"

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >"$dir/log/monmaptool.out" 2>&1
  ceph-mon -c "$dir/ceph.conf" --mkfs -i a --monmap "$dir/monmap" >"$dir/log/mon-mkfs.out" 2>&1 ||
    { tail -n 20 "$dir/log/mon-mkfs.out" >&2; false; }
  local mon_pid
  mon_pid=$(start_daemon mon.a ceph-mon -c "$dir/ceph.conf" -i a)
  wait_for "monitor" "$dir/log/mon.a.log" "$mon_pid" cephc mon stat

  local osd_id
  osd_id=$(cephc osd new "$osd_uuid")
  [[ $osd_id == 0 ]] || die "unexpected OSD id '$osd_id'"
  ceph-osd -c "$dir/ceph.conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd-mkfs.out" 2>&1 ||
    { tail -n 20 "$dir/log/osd-mkfs.out" >&2; false; }
  local osd_pid
  osd_pid=$(start_daemon osd.0 ceph-osd -c "$dir/ceph.conf" -i 0)
  wait_for "OSD" "$dir/log/osd.0.log" "$osd_pid" osd_up

  local rgw_pid
  rgw_pid=$(start_daemon rgw.a radosgw -c "$dir/ceph.conf" -n client.rgw.a)
  wait_for "radosgw" "$dir/log/client.rgw.a.log" "$rgw_pid" http_ok "http://127.0.0.1:$rgw_port/"

  local access_key secret_key
  access_key=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
  secret_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  timeout 60 radosgw-admin -c "$dir/ceph.conf" user create --uid zhilu-test --display-name "zhilu test" \
    --access-key "$access_key" --secret-key "$secret_key" >"$dir/log/user-create.out" 2>&1 ||
    { tail -n 20 "$dir/log/user-create.out" >&2; false; }

  cat >"$dir/env" <<EOF
S3_ENDPOINT=http://127.0.0.1:$rgw_port
AWS_ACCESS_KEY_ID=$access_key
AWS_SECRET_ACCESS_KEY=$secret_key
AWS_REGION=us-east-1
EOF
  started=1
  echo "ceph-s3: S3 ready at http://127.0.0.1:$rgw_port (pids $(paste -sd, "$dir/pids"); env in $dir/env)"
}

started=0
on_start_exit() {
  ((started)) && return 0
  echo "ceph-s3: start failed; daemons stopped, logs kept in $dir/log (remove with: $0 stop $dir)" >&2
  kill_pids
}

# http_ok URL: the S3 endpoint answers (anonymous ListBuckets is a 200).
http_ok() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
}

osd_up() { cephc osd dump | grep -q '^osd\.0 up'; }

# ours PID: the process is alive (not a zombie: PID 1 may not reap) and is one of this
# cluster's daemons (its command line names our ceph.conf), so a reused PID is left alone.
ours() {
  local pid=$1 state
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/ceph.conf"
}

# Newest first (radosgw, OSD, monitor): a daemon whose monitor is gone lingers on
# SIGTERM (radosgw for minutes); in this order each exits in well under a second.
kill_pids() {
  [[ -f $dir/pids ]] || return 0
  local pid i
  for pid in $(tac "$dir/pids"); do
    ours "$pid" || continue
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do
      ours "$pid" || continue 2
      sleep 0.1
    done
    echo "ceph-s3: pid $pid still running after 5 s, sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  done
}

stop() {
  [[ -d $dir ]] || return 0
  # Refuse to delete a directory this script did not create.
  [[ -f $MARKER ]] || die "not a ceph-s3 directory (no $MARKER): $dir"
  kill_pids
  rm -rf -- "$dir"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
