//! Decoding a page of 200 users recorded from a real org into the generated
//! models, and encoding it back, against `serde_json::Value` on the same
//! bytes (the baseline); and decoding a page of 200 applications (the
//! spec's examples), a polymorphic type read whole before its subtype.
//!
//! `cargo bench -p okta-api --bench decode` (or `cargo xtask bench runtime`,
//! which prints the ratios). Criterion times each one after the other; the
//! benchmark then times the models against the baseline interleaved, in
//! rounds, and prints the ratio within each round (median and range).
//!
//! The models keep what the spec does not know (unknown properties, custom
//! profile attributes, enum values newer than the spec), so this is the
//! price of decoding without losing anything.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

#[path = "support/mod.rs"]
mod support;

fn decode(c: &mut Criterion) {
    let page = support::users_page(200).into_bytes();
    // The models must keep everything the baseline keeps (a `null` the
    // spec does not allow reads as absent; a nullable one is kept).
    let value: serde_json::Value = serde_json::from_slice(&page).unwrap();
    let users: Vec<okta_api::management::models::User> = serde_json::from_slice(&page).unwrap();
    assert_eq!(
        without_nulls(serde_json::to_value(&users).unwrap()),
        without_nulls(value.clone())
    );

    let mut group = c.benchmark_group("decode-users-page");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("baseline: serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&page)).unwrap())
    });
    group.bench_function("management::models::User", |b| {
        b.iter(|| {
            serde_json::from_slice::<Vec<okta_api::management::models::User>>(black_box(&page)).unwrap()
        })
    });
    group.bench_function("legacy::models::User", |b| {
        b.iter(|| serde_json::from_slice::<Vec<okta_api::legacy::models::User>>(black_box(&page)).unwrap())
    });
    group.finish();

    let apps = support::applications_page(200).into_bytes();
    let decoded: Vec<okta_api::management::models::Application> = serde_json::from_slice(&apps).unwrap();
    assert!(
        matches!(
            decoded[3],
            okta_api::management::models::Application::BrowserPlugin(_)
        ),
        "decoded by subtype"
    );
    let mut group = c.benchmark_group("decode-applications-page");
    group.throughput(Throughput::Bytes(apps.len() as u64));
    group.bench_function("baseline: serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&apps)).unwrap())
    });
    group.bench_function("management::models::Application", |b| {
        b.iter(|| {
            serde_json::from_slice::<Vec<okta_api::management::models::Application>>(black_box(&apps))
                .unwrap()
        })
    });
    group.finish();

    // The same page with one property that does not fit its type, as a
    // tolerant client (the default) decodes it: the failure path.
    let drifted = drifted(&apps);
    assert!(serde_json::from_slice::<Vec<okta_api::management::models::Application>>(&drifted).is_err());
    let mended: Vec<okta_api::management::models::Application> =
        okta_api::tolerant::decode(&drifted).unwrap();
    let middle = mended.len() / 2;
    assert_eq!(
        serde_json::to_value(&mended).unwrap()[middle]["visibility"]["autoSubmitToolbar"],
        "false,",
        "the property that does not fit is kept"
    );
    let mut group = c.benchmark_group("decode-applications-page-one-drifted");
    group.throughput(Throughput::Bytes(drifted.len() as u64));
    group.bench_function("baseline: serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&drifted)).unwrap())
    });
    group.bench_function("management::models::Application, tolerant", |b| {
        b.iter(|| {
            okta_api::tolerant::decode::<Vec<okta_api::management::models::Application>>(black_box(&drifted))
                .unwrap()
        })
    });
    group.finish();

    let legacy: Vec<okta_api::legacy::models::User> = serde_json::from_slice(&page).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&page).unwrap();
    let mut group = c.benchmark_group("encode-users-page");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("baseline: serde_json::Value", |b| {
        b.iter(|| serde_json::to_vec(black_box(&value)).unwrap())
    });
    group.bench_function("management::models::User", |b| {
        b.iter(|| serde_json::to_vec(black_box(&users)).unwrap())
    });
    group.bench_function("legacy::models::User", |b| {
        b.iter(|| serde_json::to_vec(black_box(&legacy)).unwrap())
    });
    group.finish();

    // Not in `cargo test --benches`, nor while profiling one benchmark.
    if !std::env::args().any(|a| a == "--bench") || std::env::args().any(|a| a == "--profile-time") {
        return;
    }
    let calls = 50;
    let decode = |sdk: bool, page: &[u8], decode_sdk: &dyn Fn(&[u8])| {
        for _ in 0..calls {
            if sdk {
                decode_sdk(black_box(page));
            } else {
                black_box(serde_json::from_slice::<serde_json::Value>(black_box(page)).unwrap());
            }
        }
    };
    support::interleaved("decode, `management::models::User`", calls, |sdk| {
        decode(sdk, &page, &|page| {
            black_box(serde_json::from_slice::<Vec<okta_api::management::models::User>>(page).unwrap());
        })
    });
    support::interleaved("decode, `legacy::models::User`", calls, |sdk| {
        decode(sdk, &page, &|page| {
            black_box(serde_json::from_slice::<Vec<okta_api::legacy::models::User>>(page).unwrap());
        })
    });
    support::interleaved("decode, `management::models::Application`", calls, |sdk| {
        decode(sdk, &apps, &|apps| {
            black_box(
                serde_json::from_slice::<Vec<okta_api::management::models::Application>>(apps).unwrap(),
            );
        })
    });
    support::interleaved(
        "decode, `management::models::Application`, one property drifted, tolerant",
        calls,
        |sdk| {
            decode(sdk, &drifted, &|drifted| {
                black_box(
                    okta_api::tolerant::decode::<Vec<okta_api::management::models::Application>>(drifted)
                        .unwrap(),
                );
            })
        },
    );
    let encode = |sdk: bool, encode_sdk: &dyn Fn()| {
        for _ in 0..calls {
            if sdk {
                encode_sdk();
            } else {
                black_box(serde_json::to_vec(black_box(&value)).unwrap());
            }
        }
    };
    support::interleaved("encode, `management::models::User`", calls, |sdk| {
        encode(sdk, &|| {
            black_box(serde_json::to_vec(black_box(&users)).unwrap());
        })
    });
    support::interleaved("encode, `legacy::models::User`", calls, |sdk| {
        encode(sdk, &|| {
            black_box(serde_json::to_vec(black_box(&legacy)).unwrap());
        })
    });
    // The floor for any encoder that writes these bytes with serde_json:
    // the page's names and strings alone, escaped and written, without the
    // objects around them.
    let strings = strings_of(&value);
    support::interleaved(
        "encode floor: the page's strings alone, in okta-api's place",
        calls,
        |sdk| {
            encode(sdk, &|| {
                black_box(serde_json::to_vec(black_box(&strings)).unwrap());
            })
        },
    );
}

/// Every property name and string value in `value`.
fn strings_of(value: &serde_json::Value) -> Vec<&str> {
    use serde_json::Value;
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(strings_of).collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.as_str()).chain(strings_of(v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// `page` with one boolean, in the middle of the page, sent as a string.
fn drifted(page: &[u8]) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(page).unwrap();
    let middle = value.as_array().map_or(0, Vec::len) / 2;
    value[middle]["visibility"]["autoSubmitToolbar"] = "false,".into();
    serde_json::to_vec(&value).unwrap()
}

/// `value` without `null` properties, which the models read as absent.
fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
