# syntax=docker/dockerfile:1
#
# docker build -t warden .                 the runtime image (last stage)
# docker build --target test .             runs the test suite inside the image; the build fails if a test fails
# docker run --stop-timeout 30 …           warden's stop (9 s) + pm2's kill_timeout need more than Docker's default 10 s
#
# Stages: build (dev dependencies, tsc) → test (npm test against a PostgreSQL started in the same step)
#         prod-deps (npm ci --omit=dev, native build of better-sqlite3) → runtime (no compilers, non-root).

ARG NODE_IMAGE=node:22-bookworm-slim

# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles its addon with node-gyp when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---------------------------------------------------------------------------------------------------
# The tests need PostgreSQL (a server, plus pg_dump/pg_restore). A `docker build` step cannot reach a
# compose sidecar, so this stage installs Debian's PostgreSQL 15 and starts it in the same RUN as the
# tests, with the script CI uses (scripts/ensure-postgres.sh: trust auth on 127.0.0.1:5432); it stops
# when the step ends. To use another server instead: --build-arg TEST_DATABASE_URL=postgres://…
# (build args show in the image history: point it at a throwaway server).
FROM build AS test
# The cluster created at install takes its encoding from the locale: UTF8, as on the dev machines.
ENV LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql postgresql-client fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY . .
ARG TEST_DATABASE_URL
ENV CI=true
RUN if [ -z "$TEST_DATABASE_URL" ]; then unset TEST_DATABASE_URL; bash scripts/ensure-postgres.sh; fi \
 && npm test

# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# pg_dump/pg_restore must be the monitored server's major version or newer. Default: Debian's
# postgresql-client (15). For a newer server: --build-arg PG_CLIENT_VERSION=17 (apt.postgresql.org).
# tini is PID 1: it forwards SIGTERM to pm2-runtime and reaps orphaned children (pg_dump, commands).
# fonts-dejavu-core: the digest chart is rendered in-process and needs a font file for its labels.
ARG PG_CLIENT_VERSION=
RUN set -eux; \
    apt-get update; \
    if [ -n "$PG_CLIENT_VERSION" ]; then \
      apt-get install -y --no-install-recommends ca-certificates postgresql-common; \
      /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y; \
      apt-get install -y --no-install-recommends "postgresql-client-$PG_CLIENT_VERSION"; \
    else \
      apt-get install -y --no-install-recommends postgresql-client; \
    fi; \
    apt-get install -y --no-install-recommends tini fonts-dejavu-core; \
    rm -rf /var/lib/apt/lists/*; \
    pg_dump --version

RUN groupadd --system --gid 10001 warden \
 && useradd --system --uid 10001 --gid warden --home-dir /app --no-create-home --shell /usr/sbin/nologin warden

WORKDIR /app
ENV NODE_ENV=production \
    PM2_HOME=/app/.pm2 \
    WARDEN_CONFIG=/app/warden.config.yaml \
    PATH=/app/node_modules/.bin:$PATH

# Application files stay owned by root: the warden user can read them but not change them.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ecosystem.config.js warden.config.yaml ./
COPY docs ./docs
COPY examples ./examples
RUN chmod +x dist/main.js \
 && ln -s /app/dist/main.js /usr/local/bin/warden \
 && mkdir -p logs backups data .pm2 \
 && chown warden:warden logs backups data .pm2

USER warden
VOLUME ["/app/logs", "/app/backups", "/app/data"]
# /metrics from outside the container needs http.listen: 0.0.0.0:9464 in the mounted config.
EXPOSE 9464

# 200 while the daemon loop is alive (http.listen, default 127.0.0.1:9464). The slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["pm2-runtime", "ecosystem.config.js"]
