#!/usr/bin/env bash
# A private sshd on 127.0.0.1 with the PowerShell subsystem, for remoting tests. Key-only, its own host key.
#
#   sshd.sh start <state-dir> <pwsh>   start sshd (state dir absolute; pwsh = the real apphost); prints
#                                      PORT=P, KEY=<client private key>, KNOWN_HOSTS=<file>, USER=<name>, PID=N
#   sshd.sh stop <state-dir>           stop that sshd by its PID
set -euo pipefail

die() { echo "sshd.sh: $*" >&2; exit 1; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local dir=$1 pwsh=$2 port
  [[ $dir = /* ]] || die "the state dir must be absolute"
  [ -x /usr/sbin/sshd ] || die "openssh-server is not installed (apt-get install openssh-server)"
  [ -x "$pwsh" ] || die "$pwsh is not an executable"
  rm -rf "$dir"; mkdir -p "$dir" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key"
  cp "$dir/client_key.pub" "$dir/authorized_keys"
  for _ in $(seq 1 20); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_free "$port" || continue
    cat > "$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem powershell $pwsh -sshs -NoLogo -NoProfile
CONF
    /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" || continue
    for _ in $(seq 1 50); do
      if ! port_free "$port"; then
        echo "[127.0.0.1]:$port $(cat "$dir/host_key.pub" | cut -d' ' -f1-2)" > "$dir/known_hosts"
        echo "PORT=$port"; echo "KEY=$dir/client_key"; echo "KNOWN_HOSTS=$dir/known_hosts"
        echo "USER=$(id -un)"; echo "PID=$(cat "$dir/sshd.pid")"
        return 0
      fi
      sleep 0.1
    done
    [ -f "$dir/sshd.pid" ] && kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true
  done
  die "could not start sshd (see $dir/sshd.log)"
}

stop() {
  local dir=$1
  [ -f "$dir/sshd.pid" ] || return 0
  kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true
  rm -f "$dir/sshd.pid"
}

case "${1:-}" in
  start) start "${2:?state dir}" "${3:?pwsh path}" ;;
  stop) stop "${2:?state dir}" ;;
  *) die "usage: sshd.sh start <absolute-state-dir> <pwsh> | stop <state-dir>" ;;
esac
