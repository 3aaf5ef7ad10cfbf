#!/usr/bin/env bash
# Test TPMs: a swtpm simulator per test fixture, on a free loopback port, from a provisioned template.
#
#   swtpm.sh template            provision the template once (EK certs from a private local CA, sha1+sha256
#                                banks, dictionary-attack lockout disabled); prints its folder
#   swtpm.sh start <state-dir>   copy the template into <state-dir> (absolute), start swtpm there; prints
#                                TRUSTEDCOMPUTE_TPM=swtpm:host=127.0.0.1,port=P, PORT=P, CTRL_PORT=P+1, PID=N
#   swtpm.sh stop <state-dir>    TPM2_Shutdown, then stop that swtpm by its PID
#
# The template lives in $TRUSTEDCOMPUTE_TEST_ENV (default <repo>/out/test-env). Only 127.0.0.1 is used.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
env_root=${TRUSTEDCOMPUTE_TEST_ENV:-$repo/out/test-env}
template=$env_root/swtpm-template

die() { echo "swtpm.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is not installed (apt-get install swtpm swtpm-tools tpm2-tools)"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts swtpm on <dir>; prints the port; retries on a port race.
launch() {
  local dir=$1 port
  for _ in $(seq 1 20); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_free "$port" && port_free $((port + 1)) || continue
    if swtpm socket --tpm2 --daemon --tpmstate "dir=$dir" --pid "file=$dir/swtpm.pid" --log "file=$dir/swtpm.log" \
        --server "type=tcp,port=$port,bindaddr=127.0.0.1" --ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
        --flags not-need-init,startup-clear 2>>"$dir/swtpm.log"; then
      for _ in $(seq 1 50); do
        port_free "$port" || { echo "$port" > "$dir/swtpm.port"; echo "$port"; return 0; }
        sleep 0.1
      done
      kill "$(cat "$dir/swtpm.pid")" 2>/dev/null || true
    fi
  done
  die "could not start swtpm in $dir (see $dir/swtpm.log)"
}

stop_dir() {
  local dir=$1 pid port
  [ -f "$dir/swtpm.pid" ] || return 0
  pid=$(cat "$dir/swtpm.pid")
  port=$(cat "$dir/swtpm.port" 2>/dev/null || true)
  if [ -n "$port" ] && kill -0 "$pid" 2>/dev/null; then
    timeout 5 tpm2_shutdown -T "swtpm:host=127.0.0.1,port=$port" >/dev/null 2>&1 || true
    timeout 5 swtpm_ioctl --tcp "127.0.0.1:$((port + 1))" -s >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill "$pid" 2>/dev/null || true
  rm -f "$dir/swtpm.pid" "$dir/swtpm.port"
}

provision() {
  need swtpm; need swtpm_setup; need tpm2_dictionarylockout
  [ -f "$template/.ready" ] && { echo "$template"; return 0; }
  mkdir -p "$env_root"; exec 9>"$env_root/.swtpm-template.lock"
  flock 9
  [ -f "$template/.ready" ] && { echo "$template"; return 0; }
  local ca=$env_root/localca work=$env_root/swtpm-template.tmp
  rm -rf "$work" "$ca"; mkdir -p "$work" "$ca"
  cat > "$ca/swtpm-localca.conf" <<EOF
statedir = $ca
signingkey = $ca/signkey.pem
issuercert = $ca/issuercert.pem
certserial = $ca/certserial
EOF
  printf -- '--platform-manufacturer TrustedCompute\n--platform-version 2.1\n--platform-model swtpm\n' > "$ca/swtpm-localca.options"
  cat > "$ca/swtpm_setup.conf" <<EOF
create_certs_tool = $(command -v swtpm_localca)
create_certs_tool_config = $ca/swtpm-localca.conf
create_certs_tool_options = $ca/swtpm-localca.options
active_pcr_banks = sha1,sha256
EOF
  swtpm_setup --tpm2 --tpmstate "$work" --config "$ca/swtpm_setup.conf" --create-ek-cert --create-platform-cert \
    --pcr-banks sha1,sha256 --overwrite > "$env_root/swtpm_setup.log" 2>&1 || die "swtpm_setup failed (see $env_root/swtpm_setup.log)"
  local port; port=$(launch "$work")
  tpm2_dictionarylockout -T "swtpm:host=127.0.0.1,port=$port" -s -n 1000 -t 0 -l 0 >/dev/null
  stop_dir "$work"
  rm -f "$work/swtpm.log"
  rm -rf "$template"; mv "$work" "$template"; touch "$template/.ready"
  echo "$template"
}

case "${1:-}" in
  template) provision ;;
  start)
    dir=${2:?state dir}; [[ $dir = /* ]] || die "the state dir must be absolute (swtpm goes into failure mode otherwise)"
    provision >/dev/null
    rm -rf "$dir"; mkdir -p "$dir"; cp -a "$template/." "$dir/"; rm -f "$dir/.ready"
    port=$(launch "$dir")
    echo "TRUSTEDCOMPUTE_TPM=swtpm:host=127.0.0.1,port=$port"
    echo "PORT=$port"
    echo "CTRL_PORT=$((port + 1))"
    echo "PID=$(cat "$dir/swtpm.pid")"
    echo "CA_DIR=$env_root/localca"
    ;;
  stop) stop_dir "${2:?state dir}" ;;
  *) die "usage: swtpm.sh template | start <absolute-state-dir> | stop <state-dir>" ;;
esac
