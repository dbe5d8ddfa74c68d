//! Server reflection answers in both protocol versions.

use tokio_stream::StreamExt;

use crate::helpers::{channel, spawn_app};

/// Asks one reflection protocol version for the service list.
macro_rules! list_services {
    ($version:ident, $addr:expr) => {{
        use tonic_reflection::pb::$version::{
            ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        };
        let mut client = ServerReflectionClient::new(channel($addr).await);
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut responses = client
            .server_reflection_info(tokio_stream::once(request))
            .await
            .expect("reflection stream opens")
            .into_inner();
        match responses
            .next()
            .await
            .expect("a response")
            .expect("ok")
            .message_response
        {
            Some(MessageResponse::ListServicesResponse(list)) => {
                list.service.into_iter().map(|s| s.name).collect::<Vec<_>>()
            }
            other => panic!("expected a service list, got {other:?}"),
        }
    }};
}

#[tokio::test]
async fn v1_and_v1alpha_list_our_services() {
    let mut app = spawn_app().await;
    for names in [
        list_services!(v1, app.addr),
        list_services!(v1alpha, app.addr),
    ] {
        assert!(
            names.contains(&"textpipe.v1.TextPipeService".to_owned()),
            "{names:?}"
        );
        assert!(
            names.contains(&"grpc.health.v1.Health".to_owned()),
            "{names:?}"
        );
    }
    app.stop();
}
