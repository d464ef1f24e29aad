//! Peak heap and peak RSS while streaming 50,000 users over 250 pages,
//! against the peaks while holding one page of 200, in the same process.
//!
//! `cargo bench -p okta-api --bench pagination_memory`
//!
//! The users are the ones recorded from a real org (tests/har/list-users.har),
//! repeated to fill pages of 200; a loopback HTTP/1.1 server links each page
//! to the next. A counting allocator measures the client's heap.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures::StreamExt;
use okta_api::legacy::UserApi;

#[path = "support/mod.rs"]
mod support;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const PAGES: usize = 250;
const PER_PAGE: usize = 200;

/// Serves the same page for `/api/v1/users?after=N`, linking to N+1.
async fn serve(body: Arc<[u8]>) -> String {
    let origin = Arc::new(std::sync::OnceLock::<String>::new());
    let base = support::serve({
        let origin = origin.clone();
        move |target| {
            let page: usize = target
                .split("after=")
                .nth(1)
                .and_then(|v| v.split('&').next()?.parse().ok())
                .unwrap_or(0);
            let headers = match origin.get() {
                Some(origin) if page + 1 < PAGES => format!(
                    "link: <{origin}/api/v1/users?after={}>; rel=\"next\"\r\n",
                    page + 1
                ),
                _ => String::new(),
            };
            support::Canned {
                headers,
                body: body.clone(),
            }
        }
    })
    .await;
    origin.set(base.clone()).expect("set once");
    base
}

/// Resets the process's peak resident set size (Linux `clear_refs`); false
/// where the kernel does not allow it.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident set size since the last reset, from
/// `/proc/self/status` (`VmHWM`).
fn peak_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let body: Arc<[u8]> = support::users_page(PER_PAGE).into_bytes().into();
    let base = serve(body.clone()).await;
    let client = okta_api::Client::builder()
        .org_url(&base)
        .api_token("bench")
        .build()
        .unwrap();
    let users = UserApi::new(&client);
    // Warm up the connection pool and lazy statics.
    users.list_users().send().await.unwrap();

    let rss = reset_peak_rss();
    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let page = users.list_users().send().await.unwrap();
    assert_eq!(page.items.len(), PER_PAGE);
    let one_page = PEAK.load(Ordering::Relaxed) - baseline;
    let one_page_rss = peak_rss().filter(|_| rss);
    drop(page);

    reset_peak_rss();
    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let mut stream = users.list_users().stream();
    let mut count = 0;
    while let Some(user) = stream.next().await {
        let user = user.unwrap();
        count += usize::from(user.id.is_some());
    }
    let streaming = PEAK.load(Ordering::Relaxed) - baseline;
    let streaming_rss = peak_rss().filter(|_| rss);
    assert_eq!(count, PAGES * PER_PAGE);

    println!(
        "pagination memory ({PAGES} pages x {PER_PAGE} users, page body {:.1} KiB)",
        body.len() as f64 / 1024.0
    );
    let rss_cell = |r: Option<usize>| {
        r.map_or("n/a (no /proc/self/clear_refs)".into(), |r| {
            format!("{:.2} MiB", mib(r))
        })
    };
    println!("| what | peak heap above baseline | peak RSS of the process |");
    println!("| --- | --- | --- |");
    println!(
        "| one page (`send_page`), held | {:.2} MiB | {} |",
        mib(one_page),
        rss_cell(one_page_rss)
    );
    println!(
        "| {count} users (`stream`) | {:.2} MiB | {} |",
        mib(streaming),
        rss_cell(streaming_rss)
    );
    let rss_ratio = match (one_page_rss, streaming_rss) {
        (Some(one), Some(all)) => format!("{:.2}x", all as f64 / one as f64),
        _ => "n/a".into(),
    };
    println!(
        "| ratio (stream / one page) | {:.2}x | {rss_ratio} |",
        streaming as f64 / one_page as f64
    );
}
