# flowgate's container image. Build: `docker build -t flowgate .`; run: README, "Container image".
# Stage 1 installs every dependency (`npm ci`, whose `prepare` compiles src/ to dist/), then drops
# the dev dependencies; stage 2 is the runtime, as the unprivileged `node` user, with the SQLite
# file on the /data volume. The command is the one `npm start` execs (package.json's start script;
# test/e2e/container-image.test.ts holds the two together and runs it as this image would).

FROM node:24-bookworm-slim AS build
WORKDIR /app
# Compilers for better-sqlite3 and argon2, used only when no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm ci \
 && node scripts/build.mjs --if-stale \
 && npm prune --omit=dev \
 && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/flowgate.db \
    FLOWGATE_SHUTDOWN_GRACE_MS=8000 \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json /app/tsconfig.build.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# src/, scripts/ and the tsconfigs: `flowgate` (bin/) runs dist/cli.js once it sees dist/ is fresh.
COPY --from=build /app/src ./src
COPY --from=build /app/scripts ./scripts
COPY bin ./bin
COPY views ./views
COPY public ./public
COPY flows ./flows
COPY LICENSE ./
RUN mkdir /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# Liveness without curl: Node's fetch against /healthz (no database access).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "--max-semi-space-size=2", "--heap-growing-percent=20", "--v8-pool-size=1", "dist/main.js"]
