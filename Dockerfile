# One image for the API, the worker and the migration step (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts ./scripts
COPY console ./console
# npm run build: the Nest app into dist/, the console into dist/console (served at /) and each task
# queue's workflow bundle into dist/workflow-bundles (the workers start from them: seconds sooner than
# bundling at every start, so timers due while a worker is replaced fire that much earlier).
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# MALLOC_ARENA_MAX=2: fewer glibc malloc arenas, a smaller RSS (see src/local-stack/worker-process-env.ts).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 TEMPORAL_WORKFLOW_BUNDLE_DIR=/app/dist/workflow-bundles MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
