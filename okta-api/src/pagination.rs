//! Lists: Okta pages them and links the next page in a `Link: <...>;
//! rel="next"` header. A list can be read one page at a time ([`Page`], with
//! the cursor for callers who store it) or as a lazy stream of items that
//! fetches the next page only when the caller pulls past the current one.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream, StreamExt};
use reqwest::header::{HeaderMap, LINK};
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::Client;
use crate::runtime::Request;
use crate::Error;

/// One page of a list.
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The page's items, in Okta's order.
    pub items: Vec<T>,
    /// The next page's URL, from the `Link` header; `None` on the last page.
    pub next: Option<Url>,
    /// `X-Okta-Request-Id` of the response.
    pub request_id: Option<String>,
}

impl<T> Page<T> {
    /// The `after` cursor of the next page, to resume later with the
    /// operation's `.after(cursor)` setter.
    pub fn next_cursor(&self) -> Option<String> {
        self.next
            .as_ref()?
            .query_pairs()
            .find(|(k, _)| k == "after")
            .map(|(_, v)| v.into_owned())
    }
}

/// The next-page URL of a response, if it has a well-formed one.
pub(crate) fn next_link(headers: &HeaderMap, base: &Url) -> Option<Url> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|link| {
            let link = link.trim();
            let (target, params) = link.strip_prefix('<')?.split_once('>')?;
            let is_next = params.split(';').any(|p| {
                let p = p.trim();
                p.strip_prefix("rel=")
                    .map(|r| r.trim_matches('"').split_whitespace().any(|r| r == "next"))
                    .unwrap_or(false)
            });
            if is_next {
                base.join(target).ok()
            } else {
                None
            }
        })
}

/// Pages of a list, fetched one at a time as the stream is polled.
pub struct PageStream<T> {
    inner: BoxStream<'static, Result<Page<T>, Error>>,
}

/// Items of a list, across pages; the next page is fetched only when the
/// caller pulls past the current one. An error ends the stream.
pub struct ItemStream<T> {
    inner: BoxStream<'static, Result<T, Error>>,
}

impl<T> Stream for PageStream<T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl<T> Stream for ItemStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

enum State {
    Fetch(Box<Request>, Option<Url>),
    Failed(Error),
    Done,
}

/// Fetches the page `request` asks for.
pub(crate) async fn fetch_page<T: DeserializeOwned>(
    client: &Client,
    request: &Request,
) -> Result<Page<T>, Error> {
    let response = client.execute(request).await?;
    let next = next_link(&response.headers, client.org_url());
    let request_id = response.request_id.clone();
    let items: Vec<T> = response.json_or_default()?;
    Ok(Page {
        items,
        next,
        request_id,
    })
}

impl<T: DeserializeOwned + Send + 'static> PageStream<T> {
    pub(crate) fn new(client: Client, first: Result<Request, Error>) -> Self {
        let start = match first {
            Ok(request) => State::Fetch(Box::new(request), None),
            Err(e) => State::Failed(e),
        };
        let inner = stream::unfold(start, move |state| {
            let client = client.clone();
            async move {
                let (request, previous) = match state {
                    State::Fetch(request, previous) => (request, previous),
                    State::Failed(e) => return Some((Err(e), State::Done)),
                    State::Done => return None,
                };
                let current = request.url(client.org_url()).ok();
                let page = match fetch_page::<T>(&client, &request).await {
                    Ok(page) => page,
                    Err(e) => return Some((Err(e), State::Done)),
                };
                // Stop when there is no next page, or when it repeats.
                let following = match &page.next {
                    Some(url) if Some(url) != current.as_ref() && Some(url) != previous.as_ref() => {
                        State::Fetch(Box::new(request.at(url.clone())), current)
                    }
                    _ => State::Done,
                };
                Some((Ok(page), following))
            }
        });
        PageStream { inner: inner.boxed() }
    }

    /// Every item of every page, in order.
    pub fn items(self) -> ItemStream<T> {
        let inner = self
            .inner
            .flat_map(|page| match page {
                Ok(page) => stream::iter(page.items.into_iter().map(Ok)).left_stream(),
                Err(e) => stream::once(async move { Err(e) }).right_stream(),
            })
            .boxed();
        ItemStream { inner }
    }
}
