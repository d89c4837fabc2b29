#!/usr/bin/env bash
# Installs the system services the test suites use. Idempotent: installs only what is missing.
# - squid: a real proxy with digest authentication (test/gateway/squid.test.ts)
# - openssl: throw-away certificates for the TLS proxy tests (test/gateway/proxy.test.ts)
set -euo pipefail

need=()
[ -x /usr/sbin/squid ] || need+=(squid)
[ -x /usr/lib/squid/digest_file_auth ] || need+=(squid)
command -v openssl >/dev/null 2>&1 || need+=(openssl)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2068
  $SUDO apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u)
fi

# The package starts a system squid where an init system runs; the tests start their own.
if command -v service >/dev/null 2>&1 && pgrep -x squid >/dev/null 2>&1 && [ -f /run/squid.pid ]; then
  service squid stop >/dev/null 2>&1 || true
fi
echo "setup-services: squid $(/usr/sbin/squid -v | head -1 | awk '{print $4}'), $(openssl version)"
