# The monitor worker image used by docker-compose.yml, with the operators' tools: `npm run
# replay` (restores, docs/OPERATIONS.md) and `npm run plan` (building next year's plan).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: see scripts/setup.sh (the lock cannot list chdb builds for other platforms)
RUN npm install --omit=dev --no-audit --no-fund
COPY server ./server
COPY pipelines ./pipelines
COPY web ./web
COPY sql ./sql
COPY scripts ./scripts
ENV DATA_DIR=/data HOST=0.0.0.0 PORT=8080
EXPOSE 8080
CMD ["node", "--import", "tsx", "server/index.ts"]
