#!/usr/bin/env bash
# Makes every secret docker-compose.yml reads, as files under deploy/secrets/
# (or the directory given): the two API tokens, the token encryption key, a
# MongoDB root password and one password per app, Kafka's SASL passwords, and
# a private CA with the broker's TLS certificate (SAN "kafka"). Existing files
# are kept, so re-running never rotates a secret by accident. Needs openssl.
set -euo pipefail
dir="${1:-$(dirname "$0")/secrets}"
command -v openssl >/dev/null || { echo "make-secrets: openssl is not on PATH (Debian: apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
umask 022 # the containers run as other users: files are readable, the directory is not listable by others

write() { # write <file> <command...>: only when the file is missing
  local file="$1"; shift
  [ -s "$file" ] && return 0
  "$@" > "$file.tmp" && mv "$file.tmp" "$file"
}
hex() { openssl rand -hex "$1"; }

write collector_api_token hex 24
write projector_api_token hex 24
write token_encryption_keys sh -c 'printf "k1:%s" "$(openssl rand -base64 32)"'
write mongo_root_password hex 24
write mongo_collector_password hex 24
write mongo_projector_password hex 24
# the apps read their MongoDB URI (with the password) from a file as well
write collector_mongodb_uri sh -c 'printf "mongodb://collector:%s@mongodb:27017/okta_collector?authSource=okta_collector&directConnection=true" "$(cat mongo_collector_password)"'
write projector_mongodb_uri sh -c 'printf "mongodb://projector:%s@mongodb:27017/evidence?authSource=evidence&directConnection=true" "$(cat mongo_projector_password)"'
write kafka_admin_password hex 24
write kafka_collector_password hex 24
write kafka_projector_password hex 24
write kafka_keystore_password hex 16
# the broker reads its passwords through Kafka's FileConfigProvider
write kafka_secrets.properties sh -c 'printf "admin.password=%s\ncollector.password=%s\nprojector.password=%s\nkeystore.password=%s\n" "$(cat kafka_admin_password)" "$(cat kafka_collector_password)" "$(cat kafka_projector_password)" "$(cat kafka_keystore_password)"'
# the health check's client settings (the broker's own admin user)
write kafka_admin_client.properties sh -c 'printf "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"%s\";\nssl.truststore.type=PEM\nssl.truststore.location=/run/secrets/kafka_ca.pem\n" "$(cat kafka_admin_password)"'

if [ ! -s kafka_ca.pem ]; then
  openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=regentra-okta kafka CA" \
    -keyout kafka_ca.key -out kafka_ca.pem 2>/dev/null
  openssl req -newkey rsa:3072 -nodes -subj "/CN=kafka" -keyout kafka_broker.key -out kafka_broker.csr 2>/dev/null
  printf "subjectAltName=DNS:kafka,DNS:localhost\nextendedKeyUsage=serverAuth\n" > kafka_broker.ext
  openssl x509 -req -in kafka_broker.csr -CA kafka_ca.pem -CAkey kafka_ca.key -CAcreateserial \
    -days 825 -extfile kafka_broker.ext -out kafka_broker.pem 2>/dev/null
  openssl pkcs12 -export -in kafka_broker.pem -inkey kafka_broker.key -certfile kafka_ca.pem \
    -name kafka -passout "file:kafka_keystore_password" -out kafka_broker.p12
  chmod 644 kafka_broker.p12 # password-protected; the broker runs as another user
  rm -f kafka_broker.csr kafka_broker.ext kafka_ca.srl kafka_broker.key
  # the CA's key signs nothing else: keep it out of the secrets directory
  mv kafka_ca.key "kafka_ca.key.keep-offline"
  chmod 600 "kafka_ca.key.keep-offline"
fi
echo "make-secrets: secrets in $(pwd)"
