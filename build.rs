//! Compiles `proto/` with the vendored protoc: tonic stubs, a descriptor set
//! for server reflection, and proto3-JSON serde impls (pbjson) for the CLI.

use std::{env, error::Error, path::PathBuf};

const PROTO: &str = "proto/textpipe/v1/textpipe.proto";

fn main() -> Result<(), Box<dyn Error>> {
    // tonic-prost-build does not emit rerun-if-changed for us; without it every
    // edit under src/ would re-run protoc.
    println!("cargo:rerun-if-changed={PROTO}");
    println!("cargo:rerun-if-changed=build.rs");

    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: the build script is single-threaded here; prost-build reads
    // PROTOC from this process's environment.
    unsafe { env::set_var("PROTOC", protoc) };

    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let descriptor_path = out_dir.join("textpipe_descriptor.bin");

    tonic_prost_build::configure()
        .file_descriptor_set_path(&descriptor_path)
        // Malformed requests are INVALID_ARGUMENT, not INTERNAL (src/grpc/codec.rs).
        .codec_path("crate::grpc::codec::Codec")
        .compile_protos(&[PROTO], &["proto"])?;

    let descriptors = std::fs::read(&descriptor_path)?;
    pbjson_build::Builder::new()
        .register_descriptors(&descriptors)?
        .ignore_unknown_fields()
        .build(&[".textpipe.v1"])?;
    Ok(())
}
