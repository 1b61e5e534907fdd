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
echo "production install: warden $version runs with production dependencies only"
