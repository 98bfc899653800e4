#!/bin/bash
# One-shot: create the four event topics on the single-node development broker (idempotent).
set -euo pipefail
bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
for service in identity membership attendance billing; do
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "csa.${service}.events" --partitions 3 --replication-factor 1
done
/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --list
