//! The cost of one SDK call against a loopback server that answers at once,
//! against a hand-written `reqwest` call doing the same request (same URL,
//! headers and connection pool settings) and the same decode (the baseline).
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
}

criterion_group!(benches, request);
criterion_main!(benches);
