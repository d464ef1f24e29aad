//! The cost of one SDK call against a loopback server that answers at once,
//! against a hand-written `reqwest` call doing the same request (same URL,
//! headers and connection pool settings) and the same decode (the baseline).
//!
//! Criterion times the two one after the other; the machine's drift between
//! them shows as a few percent either way, so the benchmark then times them
//! interleaved, in rounds, and reports the ratio within each round (median
//! and range); with `OKTA_API_BENCH_INTERLEAVED=<file>` it also writes those
//! rounds to the file as JSON.
//!
//! `cargo bench -p okta-api --bench request` (or `cargo xtask bench runtime`,
//! which prints the ratios)

use criterion::{criterion_group, criterion_main, Criterion};
use okta_api::management::models::{User, UserGetSingleton};
use okta_api::management::UserApi;
use reqwest::header::{ACCEPT, AUTHORIZATION};

#[path = "support/mod.rs"]
mod support;

const TOKEN: &str = "00bench-token";

fn request(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let user: std::sync::Arc<[u8]> = serde_json::to_vec(&support::recorded_users()[0]).unwrap().into();
    let page: std::sync::Arc<[u8]> = support::users_page(200).into_bytes().into();
    let base = runtime.block_on(support::serve(move |target| support::Canned {
        headers: "x-okta-request-id: bench\r\n".into(),
        body: if target.starts_with("/api/v1/users/") {
            user.clone()
        } else {
            page.clone()
        },
    }));

    let sdk = okta_api::Client::builder()
        .org_url(&base)
        .api_token(TOKEN)
        .build()
        .unwrap();
    let users = UserApi::new(&sdk);
    let http = reqwest::Client::new();
    let by_hand = |path: &'static str| {
        let request = http
            .get(format!("{base}{path}"))
            .header(AUTHORIZATION, format!("SSWS {TOKEN}"))
            .header(ACCEPT, "application/json");
        async move {
            let response = request.send().await.unwrap().error_for_status().unwrap();
            response.bytes().await.unwrap()
        }
    };
    // Both answer the same, and warm their connection pools.
    runtime.block_on(async {
        let sdk_user = users.get_user("00u1").await.unwrap();
        let hand_user: UserGetSingleton =
            serde_json::from_slice(&by_hand("/api/v1/users/00u1").await).unwrap();
        assert_eq!(sdk_user, hand_user);
    });

    let mut group = c.benchmark_group("get-user");
    group.bench_function("baseline: reqwest by hand", |b| {
        b.to_async(&runtime).iter(|| async {
            serde_json::from_slice::<UserGetSingleton>(&by_hand("/api/v1/users/00u1").await).unwrap()
        })
    });
    group.bench_function("okta-api", |b| {
        b.to_async(&runtime)
            .iter(|| async { users.get_user("00u1").await.unwrap() })
    });
    group.finish();

    let mut group = c.benchmark_group("list-users-page");
    group.bench_function("baseline: reqwest by hand", |b| {
        b.to_async(&runtime)
            .iter(|| async { serde_json::from_slice::<Vec<User>>(&by_hand("/api/v1/users").await).unwrap() })
    });
    group.bench_function("okta-api", |b| {
        b.to_async(&runtime)
            .iter(|| async { users.list_users().await.unwrap() })
    });
    group.finish();

    // Criterion measures the baseline and the SDK one after the other, and
    // the machine drifts in between; these rounds interleave them. Not in
    // `cargo test --benches`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let calls = [
        interleaved(
            &runtime,
            "`get_user` (one user)",
            2000,
            || async {
                serde_json::from_slice::<UserGetSingleton>(&by_hand("/api/v1/users/00u1").await).unwrap()
            },
            || async { users.get_user("00u1").await.unwrap() },
        ),
        interleaved(
            &runtime,
            "`list_users` (200 users)",
            100,
            || async { serde_json::from_slice::<Vec<User>>(&by_hand("/api/v1/users").await).unwrap() },
            || async { users.list_users().await.unwrap() },
        ),
    ];
    if let Some(path) = std::env::var_os("OKTA_API_BENCH_INTERLEAVED") {
        std::fs::write(&path, serde_json::to_vec(&calls).unwrap()).unwrap();
    }
}

/// `support::interleaved` over `calls` async calls per block.
fn interleaved<A: std::future::Future, B: std::future::Future>(
    runtime: &tokio::runtime::Runtime,
    call: &str,
    calls: usize,
    baseline: impl Fn() -> A,
    sdk: impl Fn() -> B,
) -> serde_json::Value {
    support::interleaved(call, calls, |sdk_block| {
        runtime.block_on(async {
            for _ in 0..calls {
                if sdk_block {
                    std::hint::black_box(sdk().await);
                } else {
                    std::hint::black_box(baseline().await);
                }
            }
        })
    })
}

criterion_group!(benches, request);
criterion_main!(benches);
