# syntax=docker/dockerfile:1
#
# The `ecolaura` binary in a small runtime image: built in a Rust image,
# copied alone into Debian slim, run as an unprivileged user, with a
# healthcheck. `compose.yaml` runs it as the migration step, two hosts and a
# worker. Build: `podman build --format docker -t ecolaura .` (podman keeps
# HEALTHCHECK only in the docker format), or `docker build -t ecolaura .`.
#
# The two base images are arguments, so that a machine without a registry
# can build from images made locally (deploy/container/local-base-images.sh).

ARG RUST_IMAGE=docker.io/library/rust:1.95-slim-bookworm
ARG RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
# The registry and the target directory are cached between builds; the
# binary is copied out of the cache to be kept.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p ecolaura-http --bin ecolaura \
    && cp target/release/ecolaura /usr/local/bin/ecolaura

FROM ${RUNTIME_IMAGE}
# No shell tools beyond the base image's: bash's /dev/tcp is the healthcheck's
# HTTP client. The user owns only its home, where the SQLite default lives
# when no ECOLAURA_DATABASE_URL is given.
RUN groupadd --system --gid 10001 ecolaura \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /var/lib/ecolaura ecolaura
COPY --from=build /usr/local/bin/ecolaura /usr/local/bin/ecolaura
COPY deploy/container/healthcheck /usr/local/bin/ecolaura-healthcheck
USER 10001:10001
WORKDIR /var/lib/ecolaura
ENV ECOLAURA_BIND=0.0.0.0:8080 \
    ECOLAURA_WORKER_METRICS_BIND=0.0.0.0:9091 \
    ECOLAURA_LOG_FORMAT=json
EXPOSE 8080 9091
# `serve` answers /readyz on 8080 (200 when its storage answers); `worker`
# answers /healthz on 9091. The check asks whichever listens.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/ecolaura-healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/ecolaura"]
CMD ["serve"]
