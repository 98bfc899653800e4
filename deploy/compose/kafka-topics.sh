#!/bin/bash
# One-shot: create the four event topics on the single-node development broker, and the
# SCRAM-SHA-512 user the services log in with on the listener kafka:9094 (its password is
# the file KAFKA_SCRAM_PASSWORD_FILE, made by dev-secrets). Idempotent.
set -euo pipefail
bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
for service in identity membership attendance billing; do
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "csa.${service}.events" --partitions 3 --replication-factor 1
done
/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --list
if [ -n "${KAFKA_SCRAM_USER:-}" ]; then
  password=$(cat "$KAFKA_SCRAM_PASSWORD_FILE")
  /opt/kafka/bin/kafka-configs.sh --bootstrap-server "$bootstrap" --alter \
    --entity-type users --entity-name "$KAFKA_SCRAM_USER" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=${password}]" >/dev/null
  echo "SCRAM-SHA-512 user ${KAFKA_SCRAM_USER} ready"
fi
