# syntax=docker/dockerfile:1
# Build stage: protoc is vendored by the build, so only the Rust toolchain is needed.
ARG RUST_IMAGE=rust:1.95-slim-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${RUST_IMAGE} AS builder
WORKDIR /src
# Dependencies first, so source edits reuse the cached dependency layer.
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto ./proto
RUN mkdir -p src benches tests/api \
 && echo 'fn main() {}' > src/main.rs && touch src/lib.rs && echo '' > tests/api/main.rs \
 && cargo build --release --locked --bin textpipe || true
COPY src ./src
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin textpipe \
 && cp target/release/textpipe /textpipe

FROM ${RUNTIME_IMAGE}
COPY --from=builder /textpipe /usr/local/bin/textpipe
# Numeric non-root user: works with runAsNonRoot in Kubernetes.
USER 10001:10001
ENV TEXTPIPE_LISTEN=0.0.0.0:50051 TEXTPIPE_LOG_FORMAT=json
EXPOSE 50051
ENTRYPOINT ["/usr/local/bin/textpipe"]
CMD ["serve"]
