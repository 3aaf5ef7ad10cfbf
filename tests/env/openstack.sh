#!/usr/bin/env bash
# Test cloud: Keystone v3, Placement, the Nova API and Glance from Debian 12 packages, on 127.0.0.1 only.
#
#   openstack.sh start   install the packages if missing (root), configure, sync the SQLite databases,
#                        bootstrap Keystone, register the compute, placement and image endpoints, start the
#                        four services under uwsgi and wait until they answer; prints OS_*=value lines
#   openstack.sh stop    stop the services this script started, by their recorded PID
#   openstack.sh env     print the OS_*=value lines of a started cloud
#   openstack.sh status  exit 0 when all four services this script started are running
#   openstack.sh flavors PREFIX COUNT
#                        bulk flavors for paging tests, written straight into Nova's API database (1,000 flavors
#                        in ~0.2 s instead of ~15 s of API calls): exactly COUNT public flavors named PREFIX-00000..,
#                        flavor ids PREFIX-id-00000.. (sorted after Nova's UUID ids, so they fill the last pages),
#                        each with the extra spec hw:cpu_policy=shared; COUNT 0 deletes them. Idempotent.
#
# Both are idempotent: a running service is left alone, finished set-up steps are skipped.
# Exit code 77 means "cannot run here" (packages missing and not root): tests skip on it.
#
# Settings (environment): TRUSTEDCOMPUTE_TEST_ENV (default <repo>/out/test-env; state goes to its
# openstack/ folder), OS_TEST_KEYSTONE_PORT/OS_TEST_PLACEMENT_PORT/OS_TEST_NOVA_PORT/OS_TEST_GLANCE_PORT
# (5000/8778/8774/9292).
#
# Test-rig choices: SQLite, one single-threaded uwsgi worker per service (SQLite fails under parallel
# writers), no message bus (oslo.messaging fake://), Keystone's cache in-process, token caching OFF in
# the services' keystonemiddleware (so a revoked token is refused at once), cheap bcrypt rounds.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
state=${TRUSTEDCOMPUTE_TEST_ENV:-$repo/out/test-env}/openstack
host=127.0.0.1
ks_port=${OS_TEST_KEYSTONE_PORT:-5000}
pl_port=${OS_TEST_PLACEMENT_PORT:-8778}
nova_port=${OS_TEST_NOVA_PORT:-8774}
glance_port=${OS_TEST_GLANCE_PORT:-9292}
ks_url=http://$host:$ks_port/v3
region=RegionOne
packages=(keystone placement-api nova-api glance-api uwsgi-core uwsgi-plugin-python3)

# Debian's python and tools only (pyenv shims may come first in PATH); never proxy loopback traffic.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV

log() { echo "openstack.sh: $*" >&2; }
die() { log "$1"; exit "${2:-1}"; }
t0=$(date +%s%N)
took() { echo "$(( ($(date +%s%N) - t0) / 1000000 ))ms"; }

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]; }

install_packages() {
  local missing=() p
  for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "packages missing (${missing[*]}) and not root" 77
  command -v apt-get >/dev/null || die "packages missing and no apt-get" 77
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Say no to every debconf question: no dbconfig-common, no endpoint registration, no RabbitMQ.
  debconf-set-selections <<'EOF'
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
nova-common nova/configure_db boolean false
nova-common nova/configure_rabbit boolean false
nova-common nova/configure_ksat boolean false
nova-common nova/configure_neutron boolean false
nova-common nova/configure_placement boolean false
nova-api novaapi/configure_db boolean false
nova-api nova/configure_api-endpoint boolean false
placement-common placement/configure_db boolean false
placement-common placement/configure_ksat boolean false
placement-api placement/configure_api-endpoint boolean false
glance-common glance/configure_db boolean false
glance-common glance/configure_rabbit boolean false
glance-common glance/configure_ksat boolean false
glance-api glance/register-endpoint boolean false
glance-api glance/configure_api-endpoint boolean false
EOF
  # The packaged init scripts would start the APIs on all interfaces: forbid it during the install.
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; own_policy=1
  fi
  local rc=0
  if ! apt-cache show keystone >/dev/null 2>&1; then apt-get update -qq >&2 || rc=$?; fi
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >&2 || rc=$?
  [ $own_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || die "apt-get install failed ($rc)"
  log "packages installed after $(took)"
}

# Writes stdin to a file only when its content changes; remembers which service must restart.
changed=" "
put() { # path service
  local tmp; tmp=$(mktemp "$1.XXXX"); cat > "$tmp"; chmod 600 "$tmp"
  if cmp -s "$tmp" "$1" 2>/dev/null; then rm -f "$tmp"; else mv -f "$tmp" "$1"; changed+="$2 "; fi
}

authtoken() { # the [keystone_authtoken]-style block: the services use the admin account (test rig)
  cat <<EOF
auth_url = $ks_url
www_authenticate_uri = $ks_url
auth_type = password
username = admin
password = $admin_password
project_name = admin
user_domain_name = Default
project_domain_name = Default
region_name = $region
EOF
}

uwsgi_ini() { # service port wsgi-file env-var
  cat <<EOF
[uwsgi]
plugins = python3
master = true
lazy-apps = true
die-on-term = true
need-app = true
skip-atexit-teardown = true
buffer-size = 65535
http-socket = $host:$2
processes = 1
threads = 1
wsgi-file = $3
chdir = $state
env = $4=$state/etc/$1
# uwsgi's http-socket closes every connection; say so, or pooling clients reuse dead sockets
add-header = Connection: close
EOF
}

configure() {
  mkdir -p "$state"/{etc/keystone,etc/nova,etc/placement,etc/glance,db,log,run,keys/fernet,keys/credential,nova}
  mkdir -p "$state"/glance/{images,staging,tasks}
  chmod 700 "$state"
  if [ ! -s "$state/admin-password" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$state/admin-password")
  fi
  admin_password=$(cat "$state/admin-password")

  put "$state/etc/keystone/keystone.conf" keystone <<EOF
[database]
connection = sqlite:///$state/db/keystone.sqlite
[token]
provider = fernet
[fernet_tokens]
key_repository = $state/keys/fernet
[fernet_receipts]
key_repository = $state/keys/fernet
[credential]
key_repository = $state/keys/credential
[identity]
password_hash_rounds = 4
max_password_length = 72
[cache]
enabled = true
backend = dogpile.cache.memory
EOF
  put "$state/etc/placement/placement.conf" placement <<EOF
[api]
auth_strategy = keystone
[placement_database]
connection = sqlite:///$state/db/placement.sqlite
[keystone_authtoken]
$(authtoken)
token_cache_time = -1
EOF
  put "$state/etc/nova/api-paste.ini" nova < /usr/share/nova-common/api-paste.ini
  put "$state/etc/nova/nova.conf" nova <<EOF
[DEFAULT]
host = trustedcompute-test
my_ip = $host
state_path = $state/nova
enabled_apis = osapi_compute
transport_url = fake://
[api]
auth_strategy = keystone
[api_database]
connection = sqlite:///$state/db/nova_api.sqlite
[database]
connection = sqlite:///$state/db/nova.sqlite
[wsgi]
api_paste_config = $state/etc/nova/api-paste.ini
[oslo_concurrency]
lock_path = $state/nova
[oslo_messaging_notifications]
driver = noop
[keystone_authtoken]
$(authtoken)
token_cache_time = -1
[placement]
$(authtoken)
EOF
  put "$state/etc/glance/glance-api-paste.ini" glance < /etc/glance/glance-api-paste.ini
  put "$state/etc/glance/glance-api.conf" glance <<EOF
[DEFAULT]
enabled_backends = fs:file
[database]
connection = sqlite:///$state/db/glance.sqlite
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $state/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $state/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $state/glance/tasks
[paste_deploy]
flavor = keystone
[keystone_authtoken]
$(authtoken)
token_cache_time = -1
EOF
  put "$state/etc/glance/uwsgi.ini" glance < <(uwsgi_ini glance "$glance_port" /usr/bin/glance-wsgi-api OS_GLANCE_CONFIG_DIR)
  put "$state/etc/keystone/uwsgi.ini" keystone < <(uwsgi_ini keystone "$ks_port" /usr/bin/keystone-wsgi-public OS_KEYSTONE_CONFIG_DIR)
  put "$state/etc/placement/uwsgi.ini" placement < <(uwsgi_ini placement "$pl_port" /usr/bin/placement-api OS_PLACEMENT_CONFIG_DIR)
  put "$state/etc/nova/uwsgi.ini" nova < <(uwsgi_ini nova "$nova_port" /usr/bin/nova-api-wsgi OS_NOVA_CONFIG_DIR)
}

# Database schemas and the Keystone bootstrap, once per package version (the three run in parallel).
once() { # marker command...
  local marker=$state/db/.$1 key; shift
  key=$(dpkg-query -W -f='${Version}' python3-keystone python3-nova python3-placement python3-glance)$ks_url$admin_password
  [ "$(cat "$marker" 2>/dev/null)" = "$key" ] && return 0
  "$@" >>"$state/log/setup.log" 2>&1 || { log "set-up step $1 failed, see $state/log/setup.log"; return 1; }
  echo "$key" > "$marker"
}
setup_keystone() {
  local c=(--config-file "$state/etc/keystone/keystone.conf")
  keystone-manage "${c[@]}" db_sync
  [ -n "$(ls -A "$state/keys/fernet")" ] || keystone-manage "${c[@]}" fernet_setup --keystone-user root --keystone-group root
  [ -n "$(ls -A "$state/keys/credential")" ] || keystone-manage "${c[@]}" credential_setup --keystone-user root --keystone-group root
  OS_BOOTSTRAP_PASSWORD=$admin_password keystone-manage "${c[@]}" bootstrap --bootstrap-username admin \
    --bootstrap-project-name admin --bootstrap-role-name admin --bootstrap-region-id "$region" \
    --bootstrap-public-url "$ks_url/" --bootstrap-internal-url "$ks_url/" --bootstrap-admin-url "$ks_url/"
}
setup_nova() {
  nova-manage --config-file "$state/etc/nova/nova.conf" api_db sync
  nova-manage --config-file "$state/etc/nova/nova.conf" db sync --local_cell
}
setup_databases() {
  local pids=() rc=0 p
  once keystone setup_keystone & pids+=($!)
  once placement placement-manage --config-file "$state/etc/placement/placement.conf" db sync & pids+=($!)
  once nova setup_nova & pids+=($!)
  once glance glance-manage --config-dir "$state/etc/glance" db_sync & pids+=($!)
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc = 0 ] || die "database set-up failed"
}

starttime() { [ -r "/proc/$1/stat" ] && sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
running() { # service: our recorded process is alive (pid and start time match)
  local pid st
  [ -f "$state/run/$1.pid" ] && read -r pid st < "$state/run/$1.pid" || return 1
  [ -n "$pid" ] && [ "$(starttime "$pid")" = "$st" ]
}
port_open() { (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }

stop_one() {
  local pid st
  running "$1" || { rm -f "$state/run/$1.pid"; return 0; }
  read -r pid st < "$state/run/$1.pid"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do [ "$(starttime "$pid")" = "$st" ] || break; sleep 0.1; done
  # uwsgi was started with setsid: its process group holds only its own master and workers
  [ "$(starttime "$pid")" = "$st" ] && kill -KILL -- "-$pid" 2>/dev/null
  rm -f "$state/run/$1.pid"
  log "$1 stopped"
}

start_one() { # service port
  if running "$1"; then
    [[ $changed == *" $1 "* ]] || return 0
    stop_one "$1"
  fi
  port_open "$2" && die "port $host:$2 is in use by a process this script did not start"
  setsid /usr/bin/uwsgi-core --ini "$state/etc/$1/uwsgi.ini" >>"$state/log/$1.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid $(starttime "$pid")" > "$state/run/$1.pid"
}

# One python3 helper (python3 comes with the services) for readiness, catalog registration and the
# authenticated warm-up: no curl or jq needed.
api() { /usr/bin/python3 - "$@" <<'PY'
import json, sys, time, urllib.request, urllib.error
cmd, ks, pw, nova, pl, region, image = sys.argv[1:8]
def call(method, url, body=None, token=None, ok=(200, 201, 204, 300)):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token: req.add_header("X-Auth-Token", token)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, (json.loads(r.read() or b"null"))
    except urllib.error.HTTPError as e:
        if e.code in ok: return e.code, e.headers, None
        raise
def wait(url, deadline):
    while True:
        try:
            call("GET", url); return
        except Exception:
            if time.time() > deadline: sys.exit(f"{url} did not answer")
            time.sleep(0.2)
deadline = time.time() + 180
wait(ks, deadline)
auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin",
        "domain": {"name": "Default"}, "password": pw}}}, "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
_, h, _ = call("POST", ks + "/auth/tokens", auth)
tok = h["X-Subject-Token"]
if cmd == "register":
    for stype, name, url in (("compute", "nova", nova), ("placement", "placement", pl), ("image", "glance", image)):
        svcs = call("GET", f"{ks}/services?type={stype}", token=tok)[2]["services"]
        sid = svcs[0]["id"] if svcs else call("POST", ks + "/services", {"service": {"type": stype, "name": name}}, tok)[2]["service"]["id"]
        eps = call("GET", f"{ks}/endpoints?service_id={sid}", token=tok)[2]["endpoints"]
        for iface in ("public", "internal", "admin"):
            mine = [e for e in eps if e["interface"] == iface and e["region_id"] == region]
            if not mine:
                call("POST", ks + "/endpoints", {"endpoint": {"service_id": sid, "interface": iface, "url": url, "region_id": region}}, tok)
            elif mine[0]["url"] != url:
                call("PATCH", f"{ks}/endpoints/{mine[0]['id']}", {"endpoint": {"url": url}}, tok)
# every service must accept a real token before we say "ready" (keystonemiddleware warms up on first use)
for base, url in ((pl + "/", pl + "/resource_providers"), (nova + "/", nova + "/flavors"), (image + "/", image + "/v2/images")):
    wait(base, deadline)
    while True:
        try:
            call("GET", url, token=tok); break
        except Exception:
            if time.time() > deadline: sys.exit(f"{url} refused an admin token")
            time.sleep(0.3)
PY
}

print_env() {
  cat <<EOF
OS_AUTH_URL=$ks_url
OS_IDENTITY_API_VERSION=3
OS_USERNAME=admin
OS_PASSWORD=$(cat "$state/admin-password")
OS_PROJECT_NAME=admin
OS_USER_DOMAIN_NAME=Default
OS_PROJECT_DOMAIN_NAME=Default
OS_REGION_NAME=$region
OS_INTERFACE=public
OS_COMPUTE_URL=http://$host:$nova_port/v2.1
OS_PLACEMENT_URL=http://$host:$pl_port
OS_IMAGE_URL=http://$host:$glance_port
OS_TEST_STATE_DIR=$state
EOF
}

start() {
  install_packages
  configure
  setup_databases
  log "configured after $(took)"
  start_one keystone "$ks_port"
  start_one placement "$pl_port"
  start_one nova "$nova_port"
  start_one glance "$glance_port"
  local nova_url=http://$host:$nova_port/v2.1 pl_url=http://$host:$pl_port image_url=http://$host:$glance_port
  if [ "$(cat "$state/db/.catalog" 2>/dev/null)" != "$nova_url $pl_url $image_url" ]; then
    api register "$ks_url" "$admin_password" "$nova_url" "$pl_url" "$region" "$image_url" || die "catalog registration failed"
    echo "$nova_url $pl_url $image_url" > "$state/db/.catalog"
  else
    api ready "$ks_url" "$admin_password" "$nova_url" "$pl_url" "$region" "$image_url" || die "services did not become ready, see $state/log"
  fi
  log "ready after $(took) (logs in $state/log)"
  print_env
}

bulk_flavors() { # prefix count
  [[ $1 =~ ^[a-z0-9-]{1,40}$ && $2 =~ ^[0-9]{1,5}$ ]] || die "usage: $0 flavors PREFIX COUNT" 2
  /usr/bin/python3 - "$state/db/nova_api.sqlite" "$1" "$2" <<'PY'
import sqlite3, sys, datetime
db, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
now = datetime.datetime.utcnow().isoformat(sep=" ")
con = sqlite3.connect(db, timeout=30)
with con:
    rows = con.execute("SELECT id, name FROM flavors WHERE name LIKE ? ESCAPE '\\'",
                       (prefix.replace("_", "\\_") + "-_____",)).fetchall()
    extra = [i for i, n in rows if int(n[-5:]) >= count]
    for i in extra:
        con.execute("DELETE FROM flavor_extra_specs WHERE flavor_id = ?", (i,))
        con.execute("DELETE FROM flavor_projects WHERE flavor_id = ?", (i,))
        con.execute("DELETE FROM flavors WHERE id = ?", (i,))
    have = {n for _, n in rows}
    for k in range(count):
        name = f"{prefix}-{k:05d}"
        if name in have: continue
        cur = con.execute("INSERT INTO flavors (created_at, name, memory_mb, vcpus, swap, flavorid, rxtx_factor, root_gb,"
                          " ephemeral_gb, disabled, is_public) VALUES (?, ?, 512, 1, 0, ?, 1.0, 1, 0, 0, 1)",
                          (now, name, f"{prefix}-id-{k:05d}"))
        con.execute("INSERT INTO flavor_extra_specs (created_at, flavor_id, \"key\", value) VALUES (?, ?, 'hw:cpu_policy', 'shared')",
                    (now, cur.lastrowid))
PY
}

case "${1:-}" in
  flavors) [ -s "$state/db/nova_api.sqlite" ] || die "not started"; bulk_flavors "${2:-}" "${3:-}" ;;
  start) start ;;
  stop) for s in glance nova placement keystone; do stop_one "$s" & done; wait ;;
  status) for s in keystone placement nova glance; do running "$s" || exit 1; done ;;
  env) [ -s "$state/admin-password" ] || die "not started"; print_env ;;
  *) die "usage: $0 start|stop|env|status|flavors PREFIX COUNT" 2 ;;
esac
