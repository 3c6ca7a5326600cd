# syntax=docker/dockerfile:1
#
# One image for every service. The service is chosen by SERVICE (a build arg that becomes an env
# var, so a pod may also set it): `docker build --build-arg SERVICE=order -t ecommerce-order .`
# skaffold.yaml builds it once per service. The build stage does not read SERVICE, so its layers are
# shared by all ten images.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards signals to node and reaps zombies. Node itself as PID 1 would get no
# default signal handling (a process that has not installed its SIGTERM handler yet, such as the
# migration, would ignore SIGTERM and only die at the end of the grace period).
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The FileDescriptorSet (`make proto`): gRPC reflection serves it and the clients read each
# method's idempotency level from it, so the build fails if it is missing.
COPY --from=build /app/gen/descriptor.binpb ./gen/descriptor.binpb

ARG SERVICE
ENV SERVICE=${SERVICE}
USER 10001:10001
EXPOSE 50051 9464
ENTRYPOINT ["/usr/bin/tini", "--"]
# Kubernetes replaces CMD with `args` to run something else from the same image, e.g. the migration
# init container: `node dist/scripts/migrate.js <service>`.
CMD ["/bin/sh", "-c", "if [ -z \"$SERVICE\" ]; then echo 'SERVICE is not set (build arg or env: auth, user, product, ...)' >&2; exit 64; fi; exec node \"dist/services/$SERVICE/main.js\""]
