#!/bin/bash
# One-shot: the SCRAM-SHA-512 user the services log in with on the listener kafka:9094 (its
# password is the file KAFKA_SCRAM_PASSWORD_FILE, made by dev-secrets). Idempotent. The event
# topics are made after it by the one-shot kafka-topics (`csa topics`), with the partitions and
# settings the services expect.
set -euo pipefail
bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
if [ -n "${KAFKA_SCRAM_USER:-}" ]; then
  password=$(cat "$KAFKA_SCRAM_PASSWORD_FILE")
  /opt/kafka/bin/kafka-configs.sh --bootstrap-server "$bootstrap" --alter \
    --entity-type users --entity-name "$KAFKA_SCRAM_USER" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=${password}]" >/dev/null
  echo "SCRAM-SHA-512 user ${KAFKA_SCRAM_USER} ready"
fi
