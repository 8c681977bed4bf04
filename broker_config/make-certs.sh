#!/usr/bin/env bash
# Make a private certificate authority and a server certificate for the hall's Mosquitto.
#
#   broker_config/make-certs.sh OUT_DIR [HOST...]
#
# HOST is a DNS name or an IP address the devices use to reach the broker (the hall LAN address,
# the broker's host name); the default is 127.0.0.1 and localhost. Writes into OUT_DIR:
#   ca.crt      the CA certificate: copy it to every device (mqtts://…?ca=/path/ca.crt)
#   ca.key      the CA key: keep it offline; it signs the next server certificate
#   server.crt  the broker's certificate, signed by the CA, with every HOST in its subjectAltName
#   server.key  the broker's key
# Keys are mode 600 from their first byte, each written to a new file in OUT_DIR and renamed into place
# (never through a link left where it goes); a new OUT_DIR is mode 700. An existing CA in OUT_DIR is
# reused, so renewing the server certificate (or adding a host) does not force every device to get a
# new ca.crt.
set -euo pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  echo "usage: $0 OUT_DIR [HOST...]   (default hosts: 127.0.0.1 localhost)" >&2
  exit 2
fi
out=$1
shift
hosts=("$@")
[ ${#hosts[@]} -gt 0 ] || hosts=(127.0.0.1 localhost)

ca_days=${CA_DAYS:-3650}
server_days=${SERVER_DAYS:-825}

umask 077
mkdir -p "$out"

san=""
for h in "${hosts[@]}"; do
  if [[ $h =~ ^[0-9.]+$ || $h == *:* ]]; then
    san+="${san:+,}IP:$h"
  else
    san+="${san:+,}DNS:$h"
  fi
done

# Each file goes into a new one mktemp makes (mode 600, O_EXCL), then takes its name in one rename.
ca_key=$(mktemp "$out/.ca.key.XXXXXX")
ca_crt=$(mktemp "$out/.ca.crt.XXXXXX")
server_key=$(mktemp "$out/.server.key.XXXXXX")
server_crt=$(mktemp "$out/.server.crt.XXXXXX")
ext=$(mktemp)
csr=$(mktemp)
trap 'rm -f "$ca_key" "$ca_crt" "$server_key" "$server_crt" "$ext" "$csr"' EXIT

if [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
  openssl req -x509 -new -newkey rsa:3072 -nodes -sha256 -days "$ca_days" \
    -subj "/CN=Hall display system CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$ca_key" -out "$ca_crt" 2>/dev/null
  chmod 644 "$ca_crt"
  mv -f "$ca_key" "$out/ca.key"
  mv -f "$ca_crt" "$out/ca.crt"
  echo "made a new CA: $out/ca.crt"
else
  echo "reusing the CA in $out"
fi

cat >"$ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san
EOF

openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=${hosts[0]}" \
  -keyout "$server_key" -out "$csr" 2>/dev/null
openssl x509 -req -in "$csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -days "$server_days" -sha256 -extfile "$ext" -out "$server_crt" 2>/dev/null
rm -f "$out/ca.srl"
chmod 644 "$server_crt"
mv -f "$server_key" "$out/server.key"
mv -f "$server_crt" "$out/server.crt"
echo "made $out/server.crt for $san (valid $server_days days)"
