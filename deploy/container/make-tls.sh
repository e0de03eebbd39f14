#!/usr/bin/env bash
# A self-signed certificate for trying the compose file: deploy/tls/tls.crt
# and tls.key, for ECOLAURA_SERVER_NAME (default localhost). Use your CA's
# certificate in production.
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${ECOLAURA_SERVER_NAME:-localhost}"
mkdir -p deploy/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=$name" -addext "subjectAltName=DNS:$name" \
    -keyout deploy/tls/tls.key -out deploy/tls/tls.crt
chmod 0644 deploy/tls/tls.key   # nginx's workers read it in the container
echo "deploy/tls/tls.crt and tls.key for $name"
