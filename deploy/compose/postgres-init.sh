#!/bin/sh
# Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d):
# one database per service, owned by a role of the same name. Development only: the server
# uses trust authentication on the compose network, so the roles have no password.
set -eu
for service in identity membership attendance billing; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE ${service} LOGIN;
CREATE DATABASE ${service} OWNER ${service};
REVOKE ALL ON DATABASE ${service} FROM PUBLIC;
SQL
done
