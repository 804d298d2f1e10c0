//! A burst of task invocations reaches the Lambda Invoke API at most
//! `MAX_INVOKES_IN_FLIGHT` at a time, and that many side by side.
use axum::routing::post;
use axum::Router;
use pai_local_aws::stepfunctions::lambda::{LambdaClient, MAX_INVOKES_IN_FLIGHT};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_invokes_is_capped_but_concurrent() {
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (n, p) = (now.clone(), peak.clone());
    let app = Router::new().route(
        "/2015-03-31/functions/{name}/invocations",
        post(move || {
            let (n, p) = (n.clone(), p.clone());
            async move {
                let inside = n.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(inside, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                n.fetch_sub(1, Ordering::SeqCst);
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = LambdaClient::new(&url).unwrap();
    let calls: Vec<_> = (0..60)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.call("turn-record", &serde_json::json!({})).await })
        })
        .collect();
    for call in calls {
        assert!(call.await.unwrap().is_ok());
    }
    let peak = peak.load(Ordering::SeqCst);
    // 60 calls at once: the cap is reached, never passed.
    assert_eq!(peak, MAX_INVOKES_IN_FLIGHT);
}
