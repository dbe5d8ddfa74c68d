# syntax=docker/dockerfile:1
# Multi-stage build. protoc is vendored by build.rs, so the builder needs only
# a Rust toolchain and a C linker. BUILDER_IMAGE can name a locally built image
# where no registry is reachable.
ARG BUILDER_IMAGE=rust:1.95-slim-bookworm

FROM ${BUILDER_IMAGE} AS builder
# The ldd pipeline below must fail the build if any step fails.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
# Dependencies first: this layer is reused until Cargo.toml/Cargo.lock change.
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto ./proto
# Cargo.toml names test and bench targets that are not in the image; empty
# stand-ins satisfy the manifest.
RUN mkdir -p src tests/api benches \
 && echo 'fn main() {}' > src/main.rs && touch src/lib.rs tests/api/main.rs benches/throughput.rs benches/stages.rs \
 && cargo build --release --locked --bin textpipe \
 && rm -rf src
COPY src ./src
# touch: make cargo rebuild our crate, not reuse the placeholder's artefacts.
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked --bin textpipe \
 && mkdir -p /out/usr/local/bin /out/etc \
 && cp target/release/textpipe /out/usr/local/bin/textpipe \
 && strip /out/usr/local/bin/textpipe \
 # The runtime has no distribution: copy the few shared libraries the binary links.
 && ldd target/release/textpipe | grep -o '/[^ ]*' | xargs -I{} cp --parents -L {} /out/ \
 && echo 'textpipe:x:10001:10001::/nonexistent:/sbin/nologin' > /out/etc/passwd \
 && echo 'textpipe:x:10001:' > /out/etc/group

# Runtime: just the binary, its libraries and a passwd entry; no shell.
FROM scratch
COPY --from=builder /out/ /
USER 10001:10001
ENV TEXTPIPE_LISTEN=0.0.0.0:50051 TEXTPIPE_METRICS_LISTEN=0.0.0.0:9464 TEXTPIPE_LOG_FORMAT=json
# gRPC, then Prometheus metrics.
EXPOSE 50051 9464
# The binary probes its own gRPC health service (no shell or curl in the image).
HEALTHCHECK --interval=10s --timeout=4s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/textpipe", "health-check", "--timeout-ms", "3000"]
ENTRYPOINT ["/usr/local/bin/textpipe"]
CMD ["serve"]
