#!/usr/bin/env bash
# The built app with production dependencies only (npm ci --omit=dev), as the Docker runtime stage
# has it: a runtime import that is a dev dependency, or undeclared, fails here, not in production.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build
app=$(mktemp -d /tmp/warden-prod-XXXXXX)
trap 'rm -rf "$app"' EXIT
cp -r package.json package-lock.json dist warden.config.yaml "$app"/
(cd "$app" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)

cat > "$app/check.yaml" <<YAML
store: { url: "sqlite:./data/warden.db" }
log: { file: logs/warden.log }
backups: { dir: backups }
disk: { paths: [.] }
YAML

warden() { (cd "$app" && node dist/main.js "$@"); }
version=$(warden --version)
[ "$version" = "$(node -p 'require("./package.json").version')" ] || { echo "warden --version printed '$version'"; exit 1; }
warden check --config check.yaml

# The optional paths load their packages on first use (pg, node-telegram-bot-api, systeminformation):
# exercise them too, so a package missing from `dependencies` fails here.
cat > "$app/deps.yaml" <<YAML
store: { url: "sqlite:./data/warden.db" }
log: { file: logs/warden.log }
disk: { paths: [.] }
http: { listen: "127.0.0.1:0" }
telegram: { token: "\${TELEGRAM_BOT_TOKEN}", apiRoot: "http://127.0.0.1:9", chats: [{ id: -100123 }] }
services:
  db: { check: { postgres: { url: "${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}", timeout: 500ms } }, interval: 1s }
YAML
out=$(TELEGRAM_BOT_TOKEN=123456:prod-install-test-token-000000000000 warden check --config deps.yaml || true)
echo "$out"
grep -q '^✓ postgres db: ' <<<"$out" || { echo "the pg probe did not run"; exit 1; }
grep -q '^✗ telegram: ' <<<"$out" || { echo "the Telegram probe did not run"; exit 1; }
(cd "$app" && TELEGRAM_BOT_TOKEN=123456:prod-install-test-token-000000000000 exec node dist/main.js run --config deps.yaml) > "$app/run.log" 2>&1 &
pid=$!
sleep 4
kill -TERM "$pid" 2>/dev/null || true  # an early exit is reported by wait below
wait "$pid" || { echo "warden run exited non-zero:"; cat "$app/run.log"; exit 1; }
grep -q '"msg":"running"' "$app/run.log" || { echo "warden run never reached running:"; cat "$app/run.log"; exit 1; }
if grep -qiE 'ERR_MODULE_NOT_FOUND|Cannot find (module|package)' "$app/run.log"; then cat "$app/run.log"; exit 1; fi
echo "production install: warden $version runs with production dependencies only"
