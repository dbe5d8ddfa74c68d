//! The request path without a socket, for the `decode` fuzz target: bytes
//! are decoded as the codec does, validated and converted as the service
//! does, run, and the answer encoded. Compiled only under `--cfg fuzzing`
//! (set by `cargo fuzz`), so the service's build does not carry it.

use prost::Message;
use tonic::{Code, Status};

use super::calls::{DetectCall, ProcessCall, StripCall, SummarizeCall};
use super::proto;
use crate::pipeline::Pipeline;

/// Decodes `bytes` as the request of the method `selector` picks (modulo
/// five: detect, strip, summarize, process, one stream item) and runs it.
/// Returns the status a caller would get.
///
/// # Panics
/// When an answer breaks the service's contract: a status other than OK,
/// INVALID_ARGUMENT, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED, or a
/// response that does not encode. The fuzzer reports the panic.
pub fn decode_and_run(pipeline: &Pipeline, selector: u8, bytes: &[u8]) -> Result<(), Status> {
    let result = match selector % 5 {
        0 => run(
            bytes,
            |r: proto::DetectLanguageRequest| DetectCall::try_from(r),
            |c| c.run(pipeline),
        ),
        1 => run(
            bytes,
            |r: proto::StripBoilerplateRequest| StripCall::try_from(r),
            |c| c.run(pipeline),
        ),
        2 => run(
            bytes,
            |r: proto::SummarizeRequest| SummarizeCall::try_from(r),
            |c| c.run(pipeline),
        ),
        3 => run(
            bytes,
            |r: proto::ProcessRequest| ProcessCall::try_from(r),
            |c| c.run(pipeline),
        ),
        _ => run(
            bytes,
            |item: proto::ProcessStreamRequest| {
                ProcessCall::try_from(proto::ProcessRequest::from(item))
            },
            |c| c.run(pipeline).map(proto::ProcessStreamResponse::from),
        ),
    };
    if let Err(status) = &result {
        assert!(
            matches!(
                status.code(),
                Code::InvalidArgument | Code::ResourceExhausted | Code::DeadlineExceeded
            ),
            "caller input answered with {:?}: {}",
            status.code(),
            status.message()
        );
    }
    result
}

fn run<Req, Call, Resp>(
    bytes: &[u8],
    validate: impl FnOnce(Req) -> Result<Call, Status>,
    work: impl FnOnce(Call) -> Result<Resp, crate::pipeline::PipelineError>,
) -> Result<(), Status>
where
    Req: Message + Default,
    Resp: Message,
{
    let request = super::codec::decode_request::<Req>(bytes)?;
    let call = validate(request)?;
    let response = work(call)?;
    let encoded = response.encode_to_vec();
    assert_eq!(encoded.len(), response.encoded_len());
    Ok(())
}
