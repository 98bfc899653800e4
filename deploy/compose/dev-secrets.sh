#!/bin/sh
# One-shot (compose, development): make every secret of the platform once, as files in the
# volume csa-credentials, which the other containers mount read-only at /run/secrets/csa. Nothing
# is committed and a file that exists is kept (docker compose down -v starts from nothing).
#   identity-signing-key.pem, identity-code-pepper   docs/DEPLOY.md's key script
#   sms-gateway-token                                 the sink accepts any bearer token
#   kafka-password                                    SCRAM-SHA-512 password of the user csa
#   <service>-db-password, postgres-password          PostgreSQL roles (read by postgres, uid 999)
#   <service>-database-url                            the URL the service reads (*_FILE)
set -eu
dir="${1:-/secrets}"
app=10001:10001
postgres=999:999

python "${KEYGEN:-/csa/identity-keygen.py}" --owner "$app" \
  --signing-key "$dir/identity-signing-key.pem" --pepper "$dir/identity-code-pepper"

random() {
  python -c 'import secrets; print(secrets.token_urlsafe(32))'
}

# write FILE OWNER CONTENT: create FILE (mode 0400) unless it exists
write() {
  if [ -e "$1" ]; then
    echo "$1 exists, kept"
    return
  fi
  (umask 077 && printf '%s\n' "$3" > "$1")
  chown "$2" "$1"
  chmod 0400 "$1"
  echo "$1 created"
}

write "$dir/sms-gateway-token" "$app" "$(random)"
write "$dir/kafka-password" "$app" "$(random)"
write "$dir/postgres-password" "$postgres" "$(random)"
for service in identity membership attendance billing; do
  write "$dir/$service-db-password" "$postgres" "$(random)"
  password=$(cat "$dir/$service-db-password")
  write "$dir/$service-database-url" "$app" \
    "postgresql+asyncpg://$service:$password@postgres:5432/$service"
done
