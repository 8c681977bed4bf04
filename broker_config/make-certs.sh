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
# Keys are mode 600. An existing CA in OUT_DIR is reused, so renewing the server certificate (or
# adding a host) does not force every device to get a new ca.crt.
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

mkdir -p "$out"
umask 077

san=""
for h in "${hosts[@]}"; do
  if [[ $h =~ ^[0-9.]+$ || $h == *:* ]]; then
    san+="${san:+,}IP:$h"
  else
    san+="${san:+,}DNS:$h"
  fi
done

if [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
  openssl req -x509 -new -newkey rsa:3072 -nodes -sha256 -days "$ca_days" \
    -subj "/CN=Hall display system CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
  echo "made a new CA: $out/ca.crt"
else
  echo "reusing the CA in $out"
fi

ext=$(mktemp)
csr=$(mktemp)
trap 'rm -f "$ext" "$csr"' EXIT
cat >"$ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san
EOF

openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=${hosts[0]}" \
  -keyout "$out/server.key" -out "$csr" 2>/dev/null
openssl x509 -req -in "$csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -days "$server_days" -sha256 -extfile "$ext" -out "$out/server.crt" 2>/dev/null
rm -f "$out/ca.srl"

chmod 600 "$out/ca.key" "$out/server.key"
chmod 644 "$out/ca.crt" "$out/server.crt"
echo "made $out/server.crt for $san (valid $server_days days)"
