#!/usr/bin/env bash
# One database and one login role per service, on the shared PostgreSQL server.
#
# The postgres image runs this once, when it initialises an empty data volume
# (docker-entrypoint-initdb.d), against its temporary unix-socket server. It is
# also safe to run again by hand against a running server: every statement
# checks first.
#
# Each role owns its own database and nothing else; CONNECT is revoked from
# PUBLIC, so facilities cannot open operators' database and so on (each
# service owns its data, see ARCHITECTURE.md). Passwords come from the
# environment, never from this file:
#   CULTURE_FACILITIES_DB_PASSWORD  CULTURE_OPERATORS_DB_PASSWORD
#   CULTURE_FEEDBACK_DB_PASSWORD    CULTURE_IDENTITY_DB_PASSWORD
set -euo pipefail

create_service_database() {
    # $1: database name, which is also the role name
    # $2: name of the environment variable holding the role's password
    local name="$1" password_var="$2"
    # \getenv keeps the password off the command line; %L and %I quote it and the names.
    psql --no-psqlrc -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        --set name="$name" <<SQL
\\getenv password $password_var
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'name')\\gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'name', :'password')\\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'name')\\gexec
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
    echo "initdb: database $name ready, owned by role $name"
}

# Check every password before creating anything, so a half-made server never happens.
missing=0
for password_var in CULTURE_FACILITIES_DB_PASSWORD CULTURE_OPERATORS_DB_PASSWORD \
        CULTURE_FEEDBACK_DB_PASSWORD CULTURE_IDENTITY_DB_PASSWORD; do
    if [ -z "${!password_var:-}" ]; then
        echo "initdb: $password_var is not set; refusing to create a role without a password" >&2
        missing=1
    fi
done
[ "$missing" -eq 0 ] || exit 1

create_service_database facilities CULTURE_FACILITIES_DB_PASSWORD
create_service_database operators CULTURE_OPERATORS_DB_PASSWORD
create_service_database feedback CULTURE_FEEDBACK_DB_PASSWORD
create_service_database identity CULTURE_IDENTITY_DB_PASSWORD
