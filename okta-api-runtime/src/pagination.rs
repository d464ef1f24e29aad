//! Lists: Okta pages them and links the next page in a `Link: <...>;
//! rel="next"` header. A list can be read one page at a time ([`Page`], with
//! the cursor for callers who store it) or as a lazy stream of items that
//! fetches the next page only when the caller pulls past the current one.

use std::collections::HashSet;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream, StreamExt};
use reqwest::header::{HeaderMap, LINK};
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::Client;
use crate::config::defaults::MAX_EMPTY_PAGES;
use crate::runtime::{Request, ResponseMeta};
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
    /// The page's status, headers, request id and rate-limit state.
    pub meta: ResponseMeta,
}

impl<T> Page<T> {
    /// Whether Okta linked a next page: more items may follow.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }

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

/// A page reads as the slice of its items (`page.len()`, `page[0]`,
/// `page.iter()`).
impl<T> std::ops::Deref for Page<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// One link of a `Link` header (RFC 8288): its target, as written, and its
/// relation types, lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Link {
    pub target: String,
    pub rels: Vec<String>,
}

/// Every link of every `Link` header value, in order. Commas and semicolons
/// inside `<...>` and inside quoted parameters belong to them; a malformed
/// link is skipped up to the next comma that separates links.
pub(crate) fn parse_links<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Link> {
    let mut links = Vec::new();
    for value in values {
        let mut rest = value;
        loop {
            rest = rest.trim_start_matches([' ', '\t', ',']);
            if rest.is_empty() {
                break;
            }
            let (link, after) = parse_link(rest);
            links.extend(link);
            rest = after;
        }
    }
    links
}

/// Parses one link at the start of `text`; returns it (if well-formed) and
/// what follows it.
fn parse_link(text: &str) -> (Option<Link>, &str) {
    let Some(inner) = text.strip_prefix('<') else {
        return (None, skip_to_next_link(text));
    };
    let Some(close) = inner.find('>') else {
        return (None, "");
    };
    let target = inner[..close].trim().to_string();
    let mut rest = &inner[close + 1..];
    let mut rels = Vec::new();
    let mut ok = true;
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        let Some(param) = rest.strip_prefix(';') else {
            break;
        };
        let param = param.trim_start_matches([' ', '\t']);
        let name_end = param.find(['=', ';', ',', ' ', '\t']).unwrap_or(param.len());
        let name = param[..name_end].to_ascii_lowercase();
        rest = param[name_end..].trim_start_matches([' ', '\t']);
        let mut value = String::new();
        if let Some(v) = rest.strip_prefix('=') {
            let v = v.trim_start_matches([' ', '\t']);
            match parse_value(v) {
                Some((parsed, after)) => {
                    value = parsed;
                    rest = after;
                }
                None => {
                    ok = false;
                    rest = "";
                }
            }
        }
        // Only the first `rel` counts (RFC 8288, section 3.3).
        if name == "rel" && rels.is_empty() {
            rels = value
                .split_ascii_whitespace()
                .map(str::to_ascii_lowercase)
                .collect();
        }
    }
    rest = rest.trim_start_matches([' ', '\t']);
    if !(rest.is_empty() || rest.starts_with(',')) {
        ok = false;
        rest = skip_to_next_link(rest);
    }
    let link = (ok && !target.is_empty()).then_some(Link { target, rels });
    (link, rest)
}

/// A parameter value: a quoted string (with `\` escapes) or a token.
fn parse_value(text: &str) -> Option<(String, &str)> {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Some((value, &quoted[i + 1..])),
                '\\' => value.push(chars.next()?.1),
                c => value.push(c),
            }
        }
        None
    } else {
        let end = text.find([';', ',', ' ', '\t']).unwrap_or(text.len());
        Some((text[..end].to_string(), &text[end..]))
    }
}

/// What follows the next comma outside quotes and `<...>`.
fn skip_to_next_link(text: &str) -> &str {
    let (mut quoted, mut angled, mut escaped) = (false, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' if !angled => quoted = !quoted,
            '<' if !quoted => angled = true,
            '>' if !quoted => angled = false,
            ',' if !quoted && !angled => return &text[i + 1..],
            _ => {}
        }
    }
    ""
}

/// The next-page URL of a response, resolved against the URL it answered.
pub(crate) fn next_link(headers: &HeaderMap, current: &Url) -> Option<Url> {
    let values = headers.get_all(LINK).iter().filter_map(|v| v.to_str().ok());
    parse_links(values)
        .into_iter()
        .find(|link| link.rels.iter().any(|r| r == "next"))
        .and_then(|link| current.join(&link.target).ok())
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
    Fetch(Box<Request>, Walk),
    Failed(Error),
    Done,
}

/// What a stream remembers of the pages it fetched.
#[derive(Default)]
struct Walk {
    /// Every URL fetched so far: a next link back to one is a cycle.
    fetched: HashSet<String>,
    /// Empty pages in a row that still linked a next one.
    empty_run: usize,
}

/// Fetches the page `request` asks for.
pub async fn fetch_page<T: DeserializeOwned>(client: &Client, request: &Request) -> Result<Page<T>, Error> {
    let current = request.url(client.org_url())?;
    let response = client.execute(request).await?;
    let next = next_link(&response.headers, &current);
    let meta = response.meta();
    let items: Vec<T> = response.json_or_default()?;
    Ok(Page {
        items,
        next,
        request_id: meta.request_id.clone(),
        meta,
    })
}

impl<T: DeserializeOwned + Send + 'static> PageStream<T> {
    #[doc(hidden)]
    pub fn new(client: Client, first: Result<Request, Error>) -> Self {
        let start = match first {
            Ok(request) => State::Fetch(Box::new(request), Walk::default()),
            Err(e) => State::Failed(e),
        };
        let inner = stream::unfold(start, move |state| {
            let client = client.clone();
            async move {
                let (request, mut walk) = match state {
                    State::Fetch(request, walk) => (request, walk),
                    State::Failed(e) => return Some((Err(e), State::Done)),
                    State::Done => return None,
                };
                if let Ok(url) = request.url(client.org_url()) {
                    walk.fetched.insert(url.to_string());
                }
                let page = match fetch_page::<T>(&client, &request).await {
                    Ok(page) => page,
                    Err(e) => return Some((Err(e), State::Done)),
                };
                let Some(next) = &page.next else {
                    return Some((Ok(page), State::Done));
                };
                walk.empty_run = if page.items.is_empty() {
                    walk.empty_run + 1
                } else {
                    0
                };
                let next = request.at(next.clone());
                let stop = |message: String| Error::Pagination {
                    operation: request.operation,
                    message,
                };
                let following = match next.url(client.org_url()) {
                    Ok(url) if walk.fetched.contains(url.as_str()) => State::Failed(stop(format!(
                        "the next link leads back to a page already fetched ({})",
                        crate::runtime::redacted(&url)
                    ))),
                    _ if walk.empty_run >= MAX_EMPTY_PAGES => State::Failed(stop(format!(
                        "{MAX_EMPTY_PAGES} empty pages in a row, each linking another one"
                    ))),
                    _ => State::Fetch(Box::new(next), walk),
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn link(target: &str, rels: &[&str]) -> Link {
        Link {
            target: target.into(),
            rels: rels.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn commas_and_semicolons_inside_the_target_belong_to_it() {
        let links = parse_links([
            r#"<https://o.okta.com/api/v1/users?after=1&expand=a,b;c>; rel="next", <https://o.okta.com/api/v1/users>; rel=self"#,
        ]);
        assert_eq!(
            links,
            vec![
                link("https://o.okta.com/api/v1/users?after=1&expand=a,b;c", &["next"]),
                link("https://o.okta.com/api/v1/users", &["self"]),
            ]
        );
    }

    #[test]
    fn parameters_quoted_unquoted_and_with_several_relations() {
        let links = parse_links([
            r#"</a>;rel=next"#,
            r#"</b> ; title="x, \"y\"; z" ; REL="prev  NEXT""#,
            r#"</c>; rel="self"; rel="next""#,
            "</d>; title=t",
        ]);
        assert_eq!(
            links,
            vec![
                link("/a", &["next"]),
                link("/b", &["prev", "next"]),
                // Only the first `rel` counts.
                link("/c", &["self"]),
                link("/d", &[]),
            ]
        );
    }

    #[test]
    fn malformed_links_are_skipped_and_the_rest_kept() {
        let links = parse_links([
            r#"garbage; rel=next, </ok>; rel="next""#,
            r#"</unterminated; rel=next"#,
            r#"</q>; rel="unterminated, </after>; rel=next"#,
            r#"<>; rel=next"#,
            "",
            ",,, ,",
        ]);
        assert_eq!(links, vec![link("/ok", &["next"])]);
    }

    #[test]
    fn skipping_a_malformed_link_keeps_quotes_brackets_and_escapes_whole() {
        // Each junk prefix hides a well-formed `wrong` next link behind a
        // comma inside quotes, inside `<...>`, or after an escaped quote:
        // splitting there would follow it.
        for junk in [
            r#"junk "x, <http://wrong/>; rel=next, y""#,
            r#"junk <x, <http://wrong/>; rel=next, y>"#,
            r#"junk "a\", <http://wrong/>; rel=next, b""#,
        ] {
            let links = parse_links([format!("{junk}, </right>; rel=next").as_str()]);
            assert_eq!(links, vec![link("/right", &["next"])], "{junk}");
        }
        // And the other way round: a backslash outside quotes and a quote
        // inside `<...>` are ordinary characters, so the comma after them
        // still ends the junk.
        for junk in [r#"junk \"#, r#"junk <a"b>"#] {
            let links = parse_links([format!("{junk}, </right>; rel=next").as_str()]);
            assert_eq!(links, vec![link("/right", &["next"])], "{junk}");
        }
    }

    #[test]
    fn next_is_found_in_any_of_several_headers_and_resolved_against_the_page() {
        let mut headers = HeaderMap::new();
        headers.append(
            LINK,
            r#"<https://o.okta.com/api/v1/users?limit=2>; rel="self""#
                .parse()
                .unwrap(),
        );
        headers.append(LINK, r#"<?after=00u2&expand=a,b>; rel="next""#.parse().unwrap());
        let current = Url::parse("https://o.okta.com/api/v1/users?limit=2").unwrap();
        assert_eq!(
            next_link(&headers, &current).unwrap().as_str(),
            "https://o.okta.com/api/v1/users?after=00u2&expand=a,b"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

        #[test]
        fn any_text_parses_without_panicking(text in "\\PC{0,80}|[<>;,=\" a-z\\\\]{0,40}") {
            let _ = parse_links([text.as_str()]);
        }

        #[test]
        fn well_formed_links_round_trip(
            links in proptest::collection::vec(
                ("[a-zA-Z0-9/?&=,;:.%_~-]{1,30}", proptest::collection::vec("[a-z]{1,8}", 0..3), any::<bool>()),
                0..5,
            )
        ) {
            let text = links
                .iter()
                .map(|(target, rels, quoted)| {
                    let rels = rels.join(" ");
                    if *quoted || rels.contains(' ') || rels.is_empty() {
                        format!("<{target}>; rel=\"{rels}\"")
                    } else {
                        format!("<{target}>;rel={rels}")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let expected: Vec<Link> = links
                .iter()
                .map(|(target, rels, _)| Link { target: target.clone(), rels: rels.clone() })
                .collect();
            prop_assert_eq!(parse_links([text.as_str()]), expected);
        }
    }
}
