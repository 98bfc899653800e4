#!/bin/sh
# Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d):
# one database per service, owned by a role of the same name, whose password is the file
# <service>-db-password that the one-shot dev-secrets made in the volume csa-credentials
# (mounted at /run/secrets/csa). The server asks every network client for a password
# (scram-sha-256).
set -eu
secrets="${CSA_SECRETS_DIR:-/run/secrets/csa}"
for service in identity membership attendance billing; do
  password=$(cat "$secrets/$service-db-password")
  psql -v ON_ERROR_STOP=1 -v password="$password" --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE ${service} LOGIN PASSWORD :'password';
CREATE DATABASE ${service} OWNER ${service};
REVOKE ALL ON DATABASE ${service} FROM PUBLIC;
SQL
done
