#!/usr/bin/env bash
# A simulated fleet: N hosts, each a network namespace on a private bridge in 10.200.0.0/16 (no uplink), with its
# own hostname, sshd with the PowerShell subsystem, swtpm (provisioned EK certificate, from swtpm.sh's template)
# on the namespace's own 127.0.0.1:2321, and the module in its own user module folder.
#
#   fleet.sh up <state-dir> <N> <pwsh> [<module-dir>]
#       make the fleet (state dir absolute; pwsh = the real apphost; module-dir = a staged TrustedCompute folder,
#       linked into every host). Prints KEY=, KNOWN_HOSTS=, USER=, HOSTS=<tsv: index name address netns>, SUBNET=
#   fleet.sh down <state-dir>                 stop every process of every host by PID, delete namespaces and bridge
#   fleet.sh fault <state-dir> <i> <kind>     kinds: down, no-pwsh, no-module, swtpm-kill, swtpm-stop, cut,
#                                             slow [rate, default 16kbit]
#   fleet.sh heal <state-dir> <i>             undo any fault on host i
#   fleet.sh exec <state-dir> <i> <cmd...>    run a command inside host i's namespace
#
# Faults: "cut" cuts every SSH connection of the host while its TPM is in use (mid-quote), until healed;
# "slow" limits the host's link with a token bucket (this kernel has no netem). Host i has address 10.200.F.(10+i)
# where F is the fleet's own /24; the admin side is 10.200.F.1 on the bridge.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "fleet.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is not installed"; }

tpm_port=2321

# The fleet's /24: the lowest F in 1..254 no other fleet uses, claimed by creating its bridge tcfFbr. "ip link add"
# fails when the bridge exists, so two fleets started at once never share (or later tear down) one F.
claim_subnet() {
  local f used
  used=$(ip -4 -o addr show 2>/dev/null | awk '{print $4}' | grep -o '^10\.200\.[0-9]*\.' || true)
  for f in $(seq 1 254); do
    grep -qx "10.200.$f." <<<"$used" && continue
    ip link add "tcf${f}br" type bridge 2>/dev/null && { echo "$f"; return 0; }
  done
  die "no free /24 in 10.200.0.0/16"
}

host_dir() { echo "$1/h$2"; }
ns_of() { cat "$1/h$2/netns"; }

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

write_subsystem() {
  local dir=$1 pwsh=$2
  cat > "$dir/subsystem.sh" <<EOF
#!/bin/sh
export HOME=$dir/home
export TRUSTEDCOMPUTE_TPM=swtpm:host=127.0.0.1,port=$tpm_port
export DOTNET_CLI_TELEMETRY_OPTOUT=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off
exec $pwsh -sshs -NoLogo -NoProfile
EOF
  chmod 700 "$dir/subsystem.sh"
}

link_module() {
  local dir=$1 module=$2 modules=$1/home/.local/share/powershell/Modules
  mkdir -p "$modules"
  [ -n "$module" ] && ln -sfn "$module" "$modules/TrustedCompute"
  return 0
}

start_swtpm() {
  local dir=$1 ns=$2
  in_ns "$ns" swtpm socket --tpm2 --daemon --tpmstate "dir=$dir/tpm" --pid "file=$dir/swtpm.pid" \
    --log "file=$dir/swtpm.log" --server "type=tcp,port=$tpm_port,bindaddr=127.0.0.1" \
    --ctrl "type=tcp,port=$((tpm_port + 1)),bindaddr=127.0.0.1" --flags not-need-init,startup-clear
  for _ in $(seq 1 50); do
    in_ns "$ns" bash -c "exec 3<>/dev/tcp/127.0.0.1/$tpm_port" 2>/dev/null && return 0
    sleep 0.1
  done
  die "swtpm did not start in $dir"
}

start_sshd() {
  local dir=$1 ns=$2 name=$3
  in_ns "$ns" unshare --uts sh -c "hostname $name && exec /usr/sbin/sshd -f $dir/sshd_config -E $dir/sshd.log"
  for _ in $(seq 1 50); do
    [ -s "$dir/sshd.pid" ] && in_ns "$ns" bash -c "exec 3<>/dev/tcp/$(cat "$dir/address")/22" 2>/dev/null && return 0
    sleep 0.1
  done
  die "sshd did not start in $dir (see $dir/sshd.log)"
}

make_host() {
  local state=$1 f=$2 i=$3 pwsh=$4 module=$5 template=$6
  local dir ns addr name
  dir=$(host_dir "$state" "$i"); ns="tcf${f}h$i"; addr="10.200.$f.$((10 + i))"; name="fleet$f-host$i"
  rm -rf "$dir"; mkdir -p "$dir/tpm" "$dir/home"
  echo "$ns" > "$dir/netns"; echo "$addr" > "$dir/address"; echo "$name" > "$dir/name"
  cp -a "$template/." "$dir/tpm/"; rm -f "$dir/tpm/.ready"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  write_subsystem "$dir" "$pwsh"
  link_module "$dir" "$module"
  cat > "$dir/sshd_config" <<CONF
Port 22
ListenAddress $addr
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $state/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
MaxStartups 100
Subsystem powershell $dir/subsystem.sh
CONF
  ip netns add "$ns"
  ip link add "tcf${f}v$i" type veth peer name eth0 netns "$ns"
  ip link set "tcf${f}v$i" master "tcf${f}br" up
  in_ns "$ns" ip link set lo up
  in_ns "$ns" ip addr add "$addr/24" dev eth0
  in_ns "$ns" ip link set eth0 up
  date +%s%3N > "$dir/tpm.born"
  start_swtpm "$dir" "$ns"
  start_sshd "$dir" "$ns" "$name"
  echo "$i	$name	$addr	$ns" > "$dir/host.tsv"
}

up() {
  local state=$1 count=$2 pwsh=$3 module=${4:-} f template i
  [[ $state = /* ]] || die "the state dir must be absolute"
  [[ $count =~ ^[0-9]+$ && $count -ge 1 && $count -le 240 ]] || die "N must be 1..240"
  [ -x "$pwsh" ] || die "$pwsh is not an executable"
  [ -z "$module" ] || [ -f "$module/TrustedCompute.psd1" ] || die "$module holds no TrustedCompute.psd1"
  need swtpm; need ip; need unshare; [ -x /usr/sbin/sshd ] || die "openssh-server is not installed"
  [ "$(id -u)" = 0 ] || die "network namespaces need root"
  [ ! -f "$state/fleet" ] || die "$state holds a fleet already: fleet.sh down it first"
  template=$("$repo/tests/env/swtpm.sh" template)
  rm -rf "$state"; mkdir -p "$state" /run/sshd
  f=$(claim_subnet); echo "$f" > "$state/fleet"
  ip addr add "10.200.$f.1/24" dev "tcf${f}br"
  ip link set "tcf${f}br" up
  ssh-keygen -q -t ed25519 -N '' -f "$state/client_key"
  cp "$state/client_key.pub" "$state/authorized_keys"
  local pids=()
  for i in $(seq 1 "$count"); do
    make_host "$state" "$f" "$i" "$pwsh" "$module" "$template" > "$state/h$i.setup.log" 2>&1 &
    pids+=($!)
    (( i % 8 == 0 )) && { wait "${pids[@]}" || { down "$state"; die "a host failed to start (see $state/h*.setup.log)"; }; pids=(); }
  done
  [ ${#pids[@]} -eq 0 ] || wait "${pids[@]}" || { down "$state"; die "a host failed to start (see $state/h*.setup.log)"; }
  : > "$state/hosts.tsv"; : > "$state/known_hosts"
  for i in $(seq 1 "$count"); do
    local dir; dir=$(host_dir "$state" "$i")
    cat "$dir/host.tsv" >> "$state/hosts.tsv"
    echo "$(cat "$dir/address") $(cut -d' ' -f1-2 "$dir/host_key.pub")" >> "$state/known_hosts"
  done
  echo "KEY=$state/client_key"; echo "KNOWN_HOSTS=$state/known_hosts"; echo "USER=$(id -un)"
  echo "HOSTS=$state/hosts.tsv"; echo "SUBNET=10.200.$f.0/24"
}

# Every process in the host's namespace (sshd, its sessions, remote pwsh, swtpm), by PID.
kill_host_processes() {
  local ns=$1 signal=${2:-TERM} pid
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "-$signal" "$pid" 2>/dev/null || true; done
}

stop_watcher() {
  local dir=$1
  [ -f "$dir/cut.pid" ] && { kill "$(cat "$dir/cut.pid")" 2>/dev/null || true; rm -f "$dir/cut.pid"; }
  return 0
}

down() {
  local state=$1 f dir ns
  [ -f "$state/fleet" ] || return 0
  f=$(cat "$state/fleet")
  for dir in "$state"/h*/; do
    [ -f "$dir/netns" ] || continue
    ns=$(cat "$dir/netns"); stop_watcher "$dir"
    [ -f "$dir/swtpm.pid" ] && kill -CONT "$(cat "$dir/swtpm.pid")" 2>/dev/null || true
    kill_host_processes "$ns" TERM
  done
  sleep 0.3
  for dir in "$state"/h*/; do
    [ -f "$dir/netns" ] || continue
    ns=$(cat "$dir/netns")
    kill_host_processes "$ns" KILL
    ip netns delete "$ns" 2>/dev/null || true
  done
  ip link delete "tcf${f}br" 2>/dev/null || true
  for _ in $(seq 1 50); do ip -o link show | grep -q " tcf${f}v[0-9]*@" || break; sleep 0.1; done
  rm -f "$state/fleet"
}

# Cuts every SSH session of the host in the middle of a quote, until killed: the TPM is held frozen, so a session
# that reaches it waits there; then its SSH connection is killed and the TPM thawed for a moment to drop the request.
cut_watcher() {
  local dir=$1 ns=$2 sshd tpm pid
  sshd=$(cat "$dir/sshd.pid"); tpm=$(cat "$dir/swtpm.pid")
  trap 'kill -CONT $tpm 2>/dev/null; exit 0' TERM INT
  while :; do
    kill -STOP "$tpm" 2>/dev/null || true
    if [ -n "$(in_ns "$ns" ss -tnH state established "( sport = :$tpm_port )" 2>/dev/null)" ]; then
      for pid in $(pgrep -P "$sshd" || true); do kill -KILL "$pid" 2>/dev/null || true; done
      sleep 0.3
      kill -CONT "$tpm" 2>/dev/null || true
      sleep 0.1
      continue
    fi
    sleep 0.05
  done
}

fault() {
  local state=$1 i=$2 kind=$3 rate=${4:-16kbit} dir ns
  dir=$(host_dir "$state" "$i"); [ -f "$dir/netns" ] || die "no host $i in $state"
  ns=$(cat "$dir/netns")
  case "$kind" in
    down)
      in_ns "$ns" ip link set eth0 down
      for pid in $(pgrep -P "$(cat "$dir/sshd.pid")" || true); do kill -KILL "$pid" 2>/dev/null || true; done ;;
    no-pwsh) write_subsystem "$dir" "$dir/no-such-pwsh" ;;
    no-module) rm -f "$dir/home/.local/share/powershell/Modules/TrustedCompute" ;;
    swtpm-kill) kill -KILL "$(cat "$dir/swtpm.pid")" ;;
    swtpm-stop) kill -STOP "$(cat "$dir/swtpm.pid")" ;;
    cut) stop_watcher "$dir"; cut_watcher "$dir" "$ns" >/dev/null 2>&1 & echo $! > "$dir/cut.pid" ;;
    slow) in_ns "$ns" tc qdisc replace dev eth0 root tbf rate "$rate" burst 1540 latency 2s ;;
    *) die "unknown fault '$kind' (down, no-pwsh, no-module, swtpm-kill, swtpm-stop, cut, slow)" ;;
  esac
  echo "$kind" >> "$dir/faults"
}

heal() {
  local state=$1 i=$2 dir ns pwsh module
  dir=$(host_dir "$state" "$i"); [ -f "$dir/netns" ] || die "no host $i in $state"
  ns=$(cat "$dir/netns")
  stop_watcher "$dir"; sleep 0.1
  in_ns "$ns" tc qdisc del dev eth0 root 2>/dev/null || true
  in_ns "$ns" ip link set eth0 up
  [ -f "$dir/swtpm.pid" ] && kill -CONT "$(cat "$dir/swtpm.pid")" 2>/dev/null || true
  if ! kill -0 "$(cat "$dir/swtpm.pid" 2>/dev/null || echo 0)" 2>/dev/null; then
    start_swtpm "$dir" "$ns"
    # A killed TPM restarts with its clock set back and marked unsafe, as after a power cut: the host's admin
    # sets it forward past anything it reported before (its clock never runs faster than real time).
    in_ns "$ns" tpm2_setclock -T "swtpm:host=127.0.0.1,port=$tpm_port" \
      $(( $(date +%s%3N) - $(cat "$dir/tpm.born") + 60000 )) >/dev/null 2>&1 || die "could not set host $i's TPM clock"
  fi
  pwsh=$(cat "$state/pwsh"); module=$(cat "$state/module")
  write_subsystem "$dir" "$pwsh"
  link_module "$dir" "$module"
  rm -f "$dir/faults"
}

case "${1:-}" in
  up)
    state=${2:?state dir}; count=${3:?N}; pwsh=${4:?pwsh path}; module=${5:-}
    up "$state" "$count" "$pwsh" "$module"
    echo "$pwsh" > "$state/pwsh"; echo "$module" > "$state/module" ;;
  down) down "${2:?state dir}" ;;
  fault) fault "${2:?state dir}" "${3:?host index}" "${4:?kind}" "${5:-}" ;;
  heal) heal "${2:?state dir}" "${3:?host index}" ;;
  exec) state=${2:?state dir}; i=${3:?host index}; shift 3; in_ns "$(ns_of "$state" "$i")" "$@" ;;
  *) die "usage: fleet.sh up <state-dir> <N> <pwsh> [<module-dir>] | down <state-dir> | fault <state-dir> <i> <kind> | heal <state-dir> <i> | exec <state-dir> <i> <cmd...>" ;;
esac
