# visem API. Models are built into the image (MODELS_DIR=/app/models), so a container starts without
# converting weights; data (embedded store, uploads) lives in /data, a volume.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NODE_ENV=development
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && MODELS_DIR=/app/models DATA_DIR=/tmp/build-data node dist/src/cli/main.js models build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data \
    MODELS_DIR=/app/models
# Everything, pruned: dist plus non-TS assets the server reads at runtime (web UI, schema, models).
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
CMD ["node", "dist/src/cli/main.js", "serve"]
