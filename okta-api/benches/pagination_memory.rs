//! Peak heap while streaming 50,000 users over 250 pages, against the peak
//! while reading one page of 200, in the same process.
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
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

/// A page of `PER_PAGE` recorded users, as Okta sent them.
fn page_body() -> String {
    let har = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/har/list-users.har"
    ))
    .unwrap();
    let har: serde_json::Value = serde_json::from_str(&har).unwrap();
    let recorded: Vec<serde_json::Value> = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            serde_json::from_str::<Vec<serde_json::Value>>(e["response"]["content"]["text"].as_str()?).ok()
        })
        .max_by_key(Vec::len)
        .unwrap();
    let users: Vec<&serde_json::Value> = recorded.iter().cycle().take(PER_PAGE).collect();
    serde_json::to_string(&users).unwrap()
}

/// Serves the same page body for `/api/v1/users?after=N`, linking to N+1.
async fn serve(body: Arc<String>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let origin = base.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let body = body.clone();
            let origin = origin.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                loop {
                    let mut read = 0;
                    while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf[read..]).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => read += n,
                        }
                    }
                    let head = String::from_utf8_lossy(&buf[..read]);
                    let page: usize = head
                        .split_whitespace()
                        .nth(1)
                        .and_then(|target| target.split("after=").nth(1))
                        .and_then(|v| v.split('&').next()?.parse().ok())
                        .unwrap_or(0);
                    let link = if page + 1 < PAGES {
                        format!(
                            "link: <{origin}/api/v1/users?after={}>; rel=\"next\"\r\n",
                            page + 1
                        )
                    } else {
                        String::new()
                    };
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{link}\r\n",
                        body.len()
                    );
                    if socket.write_all(response.as_bytes()).await.is_err()
                        || socket.write_all(body.as_bytes()).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    base
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let body = Arc::new(page_body());
    let base = serve(body.clone()).await;
    let client = okta_api::Client::builder()
        .org_url(&base)
        .api_token("bench")
        .build()
        .unwrap();
    let users = UserApi::new(&client);
    // Warm up the connection pool and lazy statics.
    users.list_users().send_page().await.unwrap();

    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let page = users.list_users().send_page().await.unwrap();
    assert_eq!(page.items.len(), PER_PAGE);
    let one_page = PEAK.load(Ordering::Relaxed) - baseline;
    drop(page);

    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let mut stream = users.list_users().stream();
    let mut count = 0;
    while let Some(user) = stream.next().await {
        let user = user.unwrap();
        count += usize::from(user.id.is_some());
    }
    let streaming = PEAK.load(Ordering::Relaxed) - baseline;
    assert_eq!(count, PAGES * PER_PAGE);

    println!(
        "pagination memory ({PAGES} pages x {PER_PAGE} users, page body {:.1} KiB)",
        body.len() as f64 / 1024.0
    );
    println!("| what | peak heap above baseline |");
    println!("| --- | --- |");
    println!("| one page (`send_page`) | {:.2} MiB |", mib(one_page));
    println!("| {count} users (`stream`) | {:.2} MiB |", mib(streaming));
    println!("| ratio | {:.2}x |", streaming as f64 / one_page as f64);
}
