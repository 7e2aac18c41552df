#!/usr/bin/env bash
# it-servers.sh — real transport servers on loopback for the integration tests.
#
#   bash scripts/it-servers.sh install   # apt: openssh-server vsftpd postgresql; versitygw (cached build)
#   bash scripts/it-servers.sh start     # (re)start sshd, vsftpd x2, versitygw, PostgreSQL; write the env file
#   bash scripts/it-servers.sh env       # print the env file (KEY=VALUE lines) the tests read
#   bash scripts/it-servers.sh stop      # stop what start started (by PID only)
#   bash scripts/it-servers.sh clean     # stop, then remove data, chroots and test users
#
# Use:  bash scripts/it-servers.sh install && bash scripts/it-servers.sh start
#       set -a; . "$(bash scripts/it-servers.sh envfile)"; set +a; make test
#
# Debian 12, run as root. Everything listens on 127.0.0.1 only, on fixed test ports
# (sshd 2222, vsftpd 2121 plain+explicit FTPS with passive 30000-30009, vsftpd 2990
# implicit FTPS with passive 30010-30019, versitygw 7070, PostgreSQL 55432).
# start is idempotent: it stops a previous run (by its PID file) first. The SSH host key and
# the FTPS CA + server certificate are generated anew on every start; client keys are kept.
# Recipes and gotchas: shared/design/test-servers.md.
set -euo pipefail

IT=${B2BGW_IT_DIR:-/tmp/b2bgw-it}             # data, logs, keys, env file
CHROOT=${B2BGW_SFTP_CHROOT:-/run/b2bgw-sftp}  # NOT under /tmp: sshd wants every chroot component root-owned, not group/world-writable
CACHE=${B2BGW_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/b2bgw}
VGW_VERSION=v1.8.0
VGW=$CACHE/versitygw-$VGW_VERSION/versitygw
PGBIN=${B2BGW_PGBIN:-/usr/lib/postgresql/15/bin}

SFTP_PORT=2222 FTP_PORT=2121 FTPS_IMPLICIT_PORT=2990 S3_PORT=7070 PG_PORT=55432
SFTP_PW_USER=b2b-sftp-pw SFTP_PW=s3cret-pw SFTP_KEY_USER=b2b-sftp-key KEY_PASSPHRASE=b2bgw-key-pass
FTP_USER=b2b-ftp FTP_PW=ftp-pw
S3_ACCESS=AKIAB2BGWTEST S3_SECRET=b2bgw-secret-key-1234567890 S3_BUCKET=b2bgw-it S3_REGION=us-east-1
S3_NOACCESS=AKIAB2BGWNOACCESS S3_NOACCESS_SECRET=b2bgw-noaccess-secret-1234567890   # valid user, no right on the bucket
PG_PW=b2bgw-pg-pw

log() { printf 'it-servers: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
wait_tcp() { for _ in $(seq 200); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep .05; done
  die "nothing listens on 127.0.0.1:$1 after 10 s (see the logs under $IT)"; }
port_free() { ! (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

install_pkgs() {
  local need=()
  [ -x /usr/sbin/sshd ] || need+=(openssh-server)
  [ -x /usr/sbin/vsftpd ] || need+=(vsftpd)
  [ -x "$PGBIN/initdb" ] || need+=(postgresql)
  command -v openssl >/dev/null || need+=(openssl)
  command -v curl >/dev/null || need+=(curl)
  command -v ssh-keygen >/dev/null || need+=(openssh-client)
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get update -qq
    # --no-upgrade: naming curl/openssl without it upgrades libssl3, ca-certificates, ... (seen)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade "${need[@]}" >/dev/null
  fi
  if [ ! -x "$VGW" ]; then
    log "building versitygw $VGW_VERSION into $CACHE (about 90 s cold, cached afterwards)"
    mkdir -p "$(dirname "$VGW")"
    GOFLAGS=-buildvcs=false GOBIN=$(dirname "$VGW") go install "github.com/versity/versitygw/cmd/versitygw@$VGW_VERSION"
  fi
}

users() {
  for u in $SFTP_PW_USER $SFTP_KEY_USER; do id "$u" >/dev/null 2>&1 || useradd -M -d / -s /usr/sbin/nologin "$u"; done
  id $FTP_USER >/dev/null 2>&1 || useradd -M -s /bin/sh $FTP_USER   # vsftpd PAM (pam_shells) needs a shell from /etc/shells
  [ "$(getent passwd $FTP_USER | cut -d: -f6)" = "$IT/ftp/home" ] || usermod -d "$IT/ftp/home" $FTP_USER
  echo "$SFTP_PW_USER:$SFTP_PW" | chpasswd; echo "$FTP_USER:$FTP_PW" | chpasswd
  usermod -p '*' $SFTP_KEY_USER   # key-only: '*' not '!' ("account is locked" blocks pubkey auth when UsePAM no)
}

start_sftp() {
  local S=$IT/sftp; mkdir -p "$S"
  rm -f "$S"/hostkey "$S"/hostkey.pub; ssh-keygen -q -t ed25519 -N '' -C b2bgw-it-host -f "$S/hostkey"
  [ -f "$S/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C b2bgw-it-ed25519 -f "$S/client_ed25519"
  [ -f "$S/client_rsa" ] || ssh-keygen -q -t rsa -b 3072 -N '' -C b2bgw-it-rsa -f "$S/client_rsa"
  [ -f "$S/client_ecdsa" ] || ssh-keygen -q -t ecdsa -b 256 -N '' -C b2bgw-it-ecdsa -f "$S/client_ecdsa"
  [ -f "$S/client_ed25519_enc" ] || ssh-keygen -q -t ed25519 -N "$KEY_PASSPHRASE" -C b2bgw-it-enc -f "$S/client_ed25519_enc"
  install -d -m 755 "$S/authorized_keys"
  cat "$S"/client_ed25519.pub "$S"/client_rsa.pub "$S"/client_ecdsa.pub "$S"/client_ed25519_enc.pub > "$S/authorized_keys/$SFTP_KEY_USER"
  printf '[127.0.0.1]:%s %s\n' $SFTP_PORT "$(cut -d' ' -f1,2 "$S/hostkey.pub")" > "$S/known_hosts"
  install -d -m 755 /run/sshd "$CHROOT"   # /run/sshd: compiled-in privilege separation dir
  for u in $SFTP_PW_USER $SFTP_KEY_USER; do
    install -d -m 755 -o root -g root "$CHROOT/$u" "$CHROOT/$u/readonly"   # chroot root and readonly/: not writable by the user
    install -d -m 755 -o "$u" -g "$u" "$CHROOT/$u/inbox" "$CHROOT/$u/outbox"
  done
  cat > "$S/sshd_config" <<EOF
Port $SFTP_PORT
ListenAddress 127.0.0.1
HostKey $S/hostkey
PidFile $S/sshd.pid
UsePAM no
StrictModes no
PermitRootLogin no
PasswordAuthentication yes
KbdInteractiveAuthentication no
MaxStartups 100:30:200
MaxSessions 50
AuthorizedKeysFile $S/authorized_keys/%u
AllowUsers $SFTP_PW_USER $SFTP_KEY_USER
Subsystem sftp internal-sftp
Match User $SFTP_PW_USER,$SFTP_KEY_USER
    ChrootDirectory $CHROOT/%u
    ForceCommand internal-sftp
    AllowTcpForwarding no
    X11Forwarding no
    PermitTTY no
EOF
  /usr/sbin/sshd -t -f "$S/sshd_config"
  /usr/sbin/sshd -D -e -f "$S/sshd_config" >"$S/sshd.log" 2>&1 &   # absolute path required by sshd
  echo "sshd $!" >>"$IT/pids"
}

start_ftp() {
  local F=$IT/ftp
  install -d -m 755 -o $FTP_USER -g $FTP_USER "$F/home" "$F/home/inbox" "$F/home/outbox"
  install -d -m 755 -o root -g root "$F/home/readonly"
  # A private CA and a server certificate it signs, made anew each start.
  rm -f "$F"/ca.* "$F"/tls.*
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=b2bgw IT CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$F/ca.key" -out "$F/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$F/tls.key" -out "$F/tls.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$F/tls.ext"
  openssl x509 -req -in "$F/tls.csr" -CA "$F/ca.crt" -CAkey "$F/ca.key" -CAcreateserial -days 30 \
    -extfile "$F/tls.ext" -out "$F/tls.crt" 2>/dev/null
  chmod 600 "$F/tls.key" "$F/ca.key"
  install -d -m 755 /run/vsftpd/empty
  local common=(listen=YES listen_ipv6=NO listen_address=127.0.0.1 background=NO anonymous_enable=NO
    local_enable=YES write_enable=YES local_umask=022 chroot_local_user=YES allow_writeable_chroot=YES
    pasv_enable=YES pasv_address=127.0.0.1 port_enable=NO pam_service_name=vsftpd
    secure_chroot_dir=/run/vsftpd/empty userlist_enable=NO seccomp_sandbox=NO max_per_ip=200 max_clients=400
    ssl_enable=YES rsa_cert_file=$F/tls.crt rsa_private_key_file=$F/tls.key ssl_tlsv1=NO ssl_sslv2=NO ssl_sslv3=NO
    require_ssl_reuse=YES)   # vsftpd default kept on purpose: clients must resume the control TLS session
  # 2121: plain FTP and explicit FTPS (AUTH TLS) on one port.
  printf '%s\n' "${common[@]}" listen_port=$FTP_PORT pasv_min_port=30000 pasv_max_port=30009 \
    force_local_logins_ssl=NO force_local_data_ssl=NO xferlog_enable=YES vsftpd_log_file="$F/vsftpd.log" >"$F/vsftpd.conf"
  # 2990: implicit FTPS (TLS from the first byte).
  printf '%s\n' "${common[@]}" listen_port=$FTPS_IMPLICIT_PORT pasv_min_port=30010 pasv_max_port=30019 \
    implicit_ssl=YES force_local_logins_ssl=YES force_local_data_ssl=YES xferlog_enable=YES \
    vsftpd_log_file="$F/vsftpd-implicit.log" >"$F/vsftpd-implicit.conf"
  vsftpd "$F/vsftpd.conf" >"$F/vsftpd.out" 2>&1 &
  echo "vsftpd $!" >>"$IT/pids"
  vsftpd "$F/vsftpd-implicit.conf" >"$F/vsftpd-implicit.out" 2>&1 &
  echo "vsftpd-implicit $!" >>"$IT/pids"
}

start_s3() {
  [ -x "$VGW" ] || die "versitygw is not built: run '$0 install' first"
  local V=$IT/s3; mkdir -p "$V/data" "$V/iam"
  ROOT_ACCESS_KEY_ID=$S3_ACCESS ROOT_SECRET_ACCESS_KEY=$S3_SECRET "$VGW" \
    --port 127.0.0.1:$S3_PORT --health /health --quiet --iam-dir "$V/iam" posix "$V/data" >"$V/vgw.log" 2>&1 &
  echo "versitygw $!" >>"$IT/pids"
}

start_pg() {
  [ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 is not installed in $PGBIN: run '$0 install' first"
  local P=$IT/pg; install -d -o postgres -g postgres -m 700 "$P"
  if [ ! -f "$P/data/PG_VERSION" ]; then
    echo $PG_PW >"$P/pwfile"; chown postgres "$P/pwfile"
    runuser -u postgres -- "$PGBIN/initdb" -D "$P/data" -U b2bgw --pwfile="$P/pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$P/initdb.log"
  fi
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$P/data" -l "$P/server.log" -w -t 30 -o "-c listen_addresses=127.0.0.1 \
    -p $PG_PORT -k $P -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
}

write_env() {
  local S=$IT/sftp F=$IT/ftp
  local fp; fp=$(ssh-keygen -l -E sha256 -f "$S/hostkey.pub" | cut -d' ' -f2)
  cat >"$IT/env.tmp" <<EOF
B2BGW_IT_DIR=$IT
B2BGW_IT_SFTP_ADDR=127.0.0.1:$SFTP_PORT
B2BGW_IT_SFTP_KNOWN_HOSTS=$S/known_hosts
B2BGW_IT_SFTP_HOST_FINGERPRINT=$fp
B2BGW_IT_SFTP_ROOT=$CHROOT
B2BGW_IT_SFTP_PW_USER=$SFTP_PW_USER
B2BGW_IT_SFTP_PASSWORD=$SFTP_PW
B2BGW_IT_SFTP_KEY_USER=$SFTP_KEY_USER
B2BGW_IT_SFTP_KEY=$S/client_ed25519
B2BGW_IT_SFTP_KEY_RSA=$S/client_rsa
B2BGW_IT_SFTP_KEY_ECDSA=$S/client_ecdsa
B2BGW_IT_SFTP_KEY_ENCRYPTED=$S/client_ed25519_enc
B2BGW_IT_SFTP_KEY_PASSPHRASE=$KEY_PASSPHRASE
B2BGW_IT_FTP_ADDR=127.0.0.1:$FTP_PORT
B2BGW_IT_FTPS_IMPLICIT_ADDR=127.0.0.1:$FTPS_IMPLICIT_PORT
B2BGW_IT_FTP_USER=$FTP_USER
B2BGW_IT_FTP_PASSWORD=$FTP_PW
B2BGW_IT_FTP_CA=$F/ca.crt
B2BGW_IT_FTP_ROOT=$F/home
B2BGW_IT_S3_ENDPOINT=127.0.0.1:$S3_PORT
B2BGW_IT_S3_REGION=$S3_REGION
B2BGW_IT_S3_ACCESS_KEY=$S3_ACCESS
B2BGW_IT_S3_SECRET_KEY=$S3_SECRET
B2BGW_IT_S3_BUCKET=$S3_BUCKET
B2BGW_IT_S3_NOACCESS_KEY=$S3_NOACCESS
B2BGW_IT_S3_NOACCESS_SECRET=$S3_NOACCESS_SECRET
B2BGW_IT_S3_DATA=$IT/s3/data
B2BGW_IT_PG_DSN=postgres://b2bgw:$PG_PW@127.0.0.1:$PG_PORT/b2bgw?sslmode=disable
EOF
  chmod 600 "$IT/env.tmp"; mv "$IT/env.tmp" "$IT/env"
}

start() {
  [ "$(id -u)" = 0 ] || die "run as root (it creates test users and chroots)"
  stop_servers 2>/dev/null || true
  for p in $SFTP_PORT $FTP_PORT $FTPS_IMPLICIT_PORT $S3_PORT $PG_PORT; do
    port_free "$p" || die "127.0.0.1:$p is already in use by a process this script did not start; stop it (by its PID) and retry"
  done
  mkdir -p "$IT"; chmod 755 "$IT"; : >"$IT/pids"; rm -f "$IT/env"
  users
  start_sftp; start_ftp; start_s3; start_pg
  wait_tcp $SFTP_PORT; wait_tcp $FTP_PORT; wait_tcp $FTPS_IMPLICIT_PORT; wait_tcp $S3_PORT
  local ok=
  for _ in $(seq 100); do curl -fsS -o /dev/null http://127.0.0.1:$S3_PORT/health && { ok=1; break; }; sleep .05; done
  [ -n "$ok" ] || die "versitygw is not healthy (see $IT/s3/vgw.log)"
  # The test bucket: create it unless it exists (409 BucketAlreadyOwnedByYou is fine).
  local code; code=$(curl -sS -o "$IT/s3/mkbucket.out" -w '%{http_code}' -X PUT --aws-sigv4 "aws:amz:$S3_REGION:s3" \
    --user "$S3_ACCESS:$S3_SECRET" -H x-amz-content-sha256:UNSIGNED-PAYLOAD "http://127.0.0.1:$S3_PORT/$S3_BUCKET")
  case $code in 200|409) ;; *) die "creating bucket $S3_BUCKET answered HTTP $code: $(cat "$IT/s3/mkbucket.out")";; esac
  # A second S3 user with no right on the bucket, for permission-denied tests (kept in the IAM dir).
  grep -rqs "$S3_NOACCESS" "$IT/s3/iam" || "$VGW" admin --access $S3_ACCESS --secret $S3_SECRET \
    --endpoint-url http://127.0.0.1:$S3_PORT create-user --access $S3_NOACCESS --secret $S3_NOACCESS_SECRET --role user \
    >"$IT/s3/mkuser.out" 2>&1 || die "creating the S3 test user failed: $(cat "$IT/s3/mkuser.out")"
  PGPASSWORD=$PG_PW psql -qAt "host=127.0.0.1 port=$PG_PORT user=b2bgw dbname=postgres" \
    -c "select 1 from pg_database where datname='b2bgw'" | grep -q 1 ||
    PGPASSWORD=$PG_PW psql -q "host=127.0.0.1 port=$PG_PORT user=b2bgw dbname=postgres" -c "create database b2bgw"
  write_env
  log "servers up; env file: $IT/env"
}

# alive PID [COMM]: running (zombies count as gone) and, when COMM is given, still that program.
alive() {
  [ -r "/proc/$1/stat" ] || return 1
  local st; st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ "$st" != Z ] || return 1
  [ -z "${2:-}" ] || [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

stop_servers() {
  if [ -f "$IT/pids" ]; then
    while read -r name pid; do
      [ -n "${pid:-}" ] || continue
      local comm=${name%%-*}   # sshd, vsftpd, versitygw: never kill a reused PID of another program
      alive "$pid" "$comm" || continue
      kill "$pid" 2>/dev/null || continue
      for _ in $(seq 60); do alive "$pid" || break; sleep .05; done
      if alive "$pid" "$comm"; then log "$name ($pid) did not stop on TERM, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
    done <"$IT/pids"
    rm -f "$IT/pids"
  fi
  if [ -f "$IT/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$IT/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -f "$IT/env"
}

clean() {
  stop_servers
  rm -rf "$IT" "$CHROOT"
  for u in $SFTP_PW_USER $SFTP_KEY_USER $FTP_USER; do userdel "$u" 2>/dev/null || true; done
}

case "${1:-}" in
  install) install_pkgs ;;
  start) start ;;
  stop) stop_servers ;;
  env) [ -f "$IT/env" ] || die "no env file: run '$0 start' first"; cat "$IT/env" ;;
  envfile) echo "$IT/env" ;;
  clean) clean ;;
  *) echo "usage: $0 install|start|stop|env|envfile|clean" >&2; exit 2 ;;
esac
