//! What the benchmarks share: users recorded from a real org, a loopback
//! HTTP/1.1 server that answers at once, and interleaved timing.

#![allow(dead_code)] // each benchmark uses part of it

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The largest list of users recorded from a real org (tests/har/list-users.har).
pub fn recorded_users() -> Vec<serde_json::Value> {
    let har = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/har/list-users.har"
    ))
    .expect("the recorded list-users scenario");
    let har: serde_json::Value = serde_json::from_str(&har).expect("HAR is JSON");
    har["log"]["entries"]
        .as_array()
        .expect("HAR entries")
        .iter()
        .filter_map(|e| {
            serde_json::from_str::<Vec<serde_json::Value>>(e["response"]["content"]["text"].as_str()?).ok()
        })
        .max_by_key(Vec::len)
        .expect("a recorded list of users")
}

/// A page of `per_page` recorded users, as Okta sends them (the recorded
/// ones repeated as needed).
pub fn users_page(per_page: usize) -> String {
    let recorded = recorded_users();
    let users: Vec<&serde_json::Value> = recorded.iter().cycle().take(per_page).collect();
    serde_json::to_string(&users).expect("users serialize")
}

/// A page of `per_page` applications, as the Management spec's examples of
/// listing them show them (six SAML apps and a browser plugin, repeated as
/// needed): a polymorphic type, decoded by its `signOnMode`.
pub fn applications_page(per_page: usize) -> String {
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/okta-management-2026.06.3.yaml"
    ))
    .expect("the Management spec");
    let spec: serde_json::Value = serde_yaml::from_str(&spec).expect("the spec is YAML");
    let examples = spec["paths"]["/api/v1/apps"]["get"]["responses"]["200"]["content"]["application/json"]
        ["examples"]
        .as_object()
        .expect("examples of listing applications");
    let apps: Vec<&serde_json::Value> = examples
        .values()
        .map(|example| match example["$ref"].as_str() {
            Some(at) => &spec["components"]["examples"][at.rsplit('/').next().unwrap_or_default()],
            None => example,
        })
        .filter_map(|example| example["value"].as_array())
        .flatten()
        .collect();
    assert!(apps.len() > 1, "examples of listing applications");
    let page: Vec<&serde_json::Value> = apps.into_iter().cycle().take(per_page).collect();
    serde_json::to_string(&page).expect("applications serialize")
}

/// One canned response: extra header lines (each ending in `\r\n`) and a
/// JSON body.
pub struct Canned {
    pub headers: String,
    pub body: Arc<[u8]>,
}

/// Serves `respond(request target)` to every request on keep-alive
/// connections, reading only request heads (the benchmarks send no bodies);
/// returns the base URL.
pub async fn serve(respond: impl Fn(&str) -> Canned + Send + Sync + 'static) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let _ = socket.set_nodelay(true);
            let respond = respond.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut out = Vec::new();
                loop {
                    let mut read = 0;
                    while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf[read..]).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => read += n,
                        }
                    }
                    let head = String::from_utf8_lossy(&buf[..read]);
                    let target = head.split_whitespace().nth(1).unwrap_or("/");
                    let canned = respond(target);
                    out.clear();
                    out.extend_from_slice(
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{}\r\n",
                            canned.body.len(),
                            canned.headers
                        )
                        .as_bytes(),
                    );
                    out.extend_from_slice(&canned.body);
                    if socket.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    base
}

const ROUNDS: usize = 31;

/// `ROUNDS` rounds (an odd count: the median is one of them), each timing a
/// block of `calls` baseline calls and a block of `calls` SDK calls back to
/// back, which goes first alternating, after one unmeasured round.
/// `block(sdk)` makes one block's calls, the SDK's when `sdk`. Prints the
/// ratio within each round (median, min, max) and returns the mean time
/// per call of each block.
#[allow(dead_code)] // each bench binary uses part of this module
pub fn interleaved(what: &str, calls: usize, mut block: impl FnMut(bool)) -> serde_json::Value {
    let (mut baseline_ns, mut sdk_ns) = (Vec::new(), Vec::new());
    for round in 0..=ROUNDS {
        for sdk in [round % 2 == 1, round % 2 == 0] {
            let started = std::time::Instant::now();
            block(sdk);
            let ns = started.elapsed().as_nanos() as f64 / calls as f64;
            if round > 0 {
                if sdk { &mut sdk_ns } else { &mut baseline_ns }.push(ns);
            }
        }
    }
    let mut ratios: Vec<f64> = sdk_ns.iter().zip(&baseline_ns).map(|(s, b)| s / b).collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "interleaved {what}: okta-api / baseline {:.3}x (min {:.3}x, max {:.3}x) over {ROUNDS} rounds of {calls} calls",
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1]
    );
    serde_json::json!({ "call": what, "calls": calls, "baseline_ns": baseline_ns, "sdk_ns": sdk_ns })
}
