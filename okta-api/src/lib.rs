//! Async Rust SDK for the Okta APIs.
//!
//! The runtime (client, configuration, credentials, retries, pagination,
//! errors) is hand-written and shared; the models and operations of each
//! bundled spec are generated into their own module, behind a cargo feature
//! of the same name:
//!
//! - [`management`]: the current Management API, with one feature per API
//!   tag (`management-user`, `management-group`, ...; the everyday ones are
//!   default). A tag compiles its operations and only the types they reach;
//!   the types no operation uses (hook payloads, event types, ...) are behind
//!   `management-other-models`, and `full` enables everything.
//! - `legacy` (feature `legacy`, not default): the Okta API 1.9.0 spec, with
//!   resource methods on models (`user.activate(&client, ..)`).
//! - `oauth` (OpenID Connect & OAuth 2.0), `myaccount` (a signed-in user's
//!   own profile, emails, phones, passwords) and `governance` (Identity
//!   Governance: campaigns, reviews, entitlements, access requests), each
//!   with one feature per tag (`oauth-org-as`, `myaccount-email`,
//!   `governance-campaigns`, ...), none of them default. MyAccount takes a
//!   user's access token (`ClientBuilder::bearer_token`), never an API token;
//!   the OAuth endpoints that authenticate a client are sent without the
//!   client's credentials, and the caller's client authentication goes in
//!   the form.
//!
//! The Markdown reference (one page per API, one per model) is in
//! `okta-api/docs/`.
//!
//! # Configure
//!
//! ```no_run
//! # fn main() -> Result<(), okta_api::Error> {
//! // From ~/.okta/okta.yaml, ./.okta.yaml and OKTA_CLIENT_* variables, like the official SDKs:
//! let client = okta_api::Client::from_env()?;
//! // Or in code:
//! let client = okta_api::Client::builder()
//!     .org_url("https://dev-123456.okta.com")
//!     .api_token("00abc...")
//!     .max_retries(4)
//!     .build()?;
//! # Ok(())
//! # }
//! ```
//!
//! # List users, page after page
//!
//! ```no_run
//! use futures::StreamExt;
//! use okta_api::management::UserApi;
//!
//! # async fn run(client: okta_api::Client) -> Result<(), okta_api::Error> {
//! let mut users = UserApi::new(&client).list_users().filter("status eq \"ACTIVE\"").stream();
//! while let Some(user) = users.next().await {
//!     let user = user?;
//!     println!("{:?}", user.profile.and_then(|p| p.login));
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Create and activate a user
//!
//! ```no_run
//! use okta_api::management::models::{CreateUserRequest, UserProfile};
//! use okta_api::management::UserApi;
//!
//! # async fn run(client: okta_api::Client) -> Result<(), okta_api::Error> {
//! let user = CreateUserRequest {
//!     profile: UserProfile {
//!         login: Some("ada@example.com".into()),
//!         email: Some("ada@example.com".into()),
//!         first_name: "Ada".into(),
//!         last_name: "Lovelace".into(),
//!         ..Default::default()
//!     },
//!     ..Default::default()
//! };
//! let user = UserApi::new(&client).create_user(user).activate(true).await?;
//! println!("{:?} {:?}", user.id, user.status);
//! # Ok(())
//! # }
//! ```
//!
//! With the `legacy` feature, the 1.9.0 module's models also have resource
//! methods that bind their own id, such as `user.activate(&client, false)`.
//!
//! # Clear a user's mobile phone
//!
//! A property the spec marks nullable is a [`Nullable`]: absent (left as it
//! is), `null` (cleared) or a value. A partial update sends only what is set:
//!
//! ```no_run
//! use okta_api::management::models::{UpdateUserRequest, UserProfile};
//! use okta_api::management::UserApi;
//! use okta_api::Nullable;
//!
//! # async fn run(client: okta_api::Client) -> Result<(), okta_api::Error> {
//! // Sends {"profile":{"mobilePhone":null,"title":"Engineer"}}.
//! let change = UpdateUserRequest {
//!     profile: Some(UserProfile {
//!         mobile_phone: Nullable::null(),
//!         title: "Engineer".into(),
//!         ..Default::default()
//!     }),
//!     ..Default::default()
//! };
//! let user = UserApi::new(&client).update_user("00u1", change).await?;
//! assert!(user.profile.is_none_or(|p| p.mobile_phone.as_option().is_none()));
//! # Ok(())
//! # }
//! ```
//!
//! # Handle an API error
//!
//! ```no_run
//! use okta_api::management::UserApi;
//!
//! # async fn run(client: okta_api::Client) {
//! match UserApi::new(&client).get_user("nobody@example.com").await {
//!     Ok(user) => println!("{:?}", user.id),
//!     Err(e) if e.status().map(|s| s.as_u16()) == Some(404) => println!("no such user"),
//!     Err(okta_api::Error::Api(e)) => {
//!         eprintln!("{:?} {:?} (request id {:?})", e.error_code, e.error_summary, e.request_id)
//!     }
//!     Err(e) => eprintln!("{e}"),
//! }
//! # }
//! ```
//!
//! # Use an OAuth 2.0 service app
//!
//! ```no_run
//! # fn main() -> Result<(), okta_api::Error> {
//! let client = okta_api::Client::builder()
//!     .org_url("https://dev-123456.okta.com")
//!     // The app's client id, the scopes granted to it, and its private key
//!     // (PEM, or the path of a PEM file).
//!     .private_key("0oa1abcd", ["okta.users.read", "okta.users.manage"], "/etc/okta/app-key.pem")
//!     .kid("my-key-id")
//!     .build()?;
//! # Ok(())
//! # }
//! ```
//!
//! The key may also be the JWK the Admin Console downloads (its `kid` is
//! used), or a SEC1 `EC PRIVATE KEY` PEM.
//!
//! ## DPoP
//!
//! Service apps created with Okta's default settings require DPoP-bound
//! tokens (RFC 9449). With the default [`DpopMode::Auto`], the client
//! switches to DPoP the first time Okta answers `invalid_dpop_proof`, and
//! stays with it; [`DpopMode::Always`] (`okta.client.dpop: true`,
//! `OKTA_CLIENT_DPOP=true`) sends proofs from the first token request, and
//! [`DpopMode::Never`] never does. Every request then carries a fresh proof
//! signed by a P-256 key pair the client makes for DPoP alone, and Okta's
//! `DPoP-Nonce` is picked up from the token endpoint and the API.
//!
//! ```no_run
//! # fn main() -> Result<(), okta_api::Error> {
//! let client = okta_api::Client::builder()
//!     .org_url("https://dev-123456.okta.com")
//!     .private_key("0oa1abcd", ["okta.users.read"], "/etc/okta/app-key.jwk.json")
//!     .dpop(okta_api::DpopMode::Always)
//!     .build()?;
//! # Ok(())
//! # }
//! ```
//!
//! # Response metadata and links
//!
//! ```no_run
//! use okta_api::management::UserApi;
//!
//! # async fn run(client: okta_api::Client) -> Result<(), okta_api::Error> {
//! let response = UserApi::new(&client).get_user("00u1abcd").send_with_response().await?;
//! println!("{} {:?}", response.meta.status, response.meta.rate_limit);
//! // Follow any href Okta returned, on the org's own origin.
//! let user: serde_json::Value = client.get_href("/api/v1/users/00u1abcd").await?;
//! # let _ = (response.body, user);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

// The runtime, hand-written, in its own crate: everything public there is
// public here under the same name.
pub use okta_api_runtime::{
    defaults, ApiError, ApiResponse, AuthorizationMode, Client, ClientBuilder, Credentials, DpopMode, Error,
    ItemStream, Nullable, Page, PageStream, RateLimit, ResponseMeta, DEFAULT_USER_AGENT,
};
#[doc(hidden)]
pub use okta_api_runtime::{runtime, tolerant};

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

// Each spec's models and operations are generated into a crate of their own,
// so that cargo builds them side by side; here they keep the paths they
// always had.
#[cfg(feature = "legacy")]
#[doc(inline)]
pub use okta_api_legacy as legacy;

#[cfg(feature = "management")]
#[doc(inline)]
pub use okta_api_management as management;

#[cfg(feature = "oauth")]
#[doc(inline)]
pub use okta_api_oauth as oauth;

#[cfg(feature = "myaccount")]
#[doc(inline)]
pub use okta_api_myaccount as myaccount;

#[cfg(feature = "governance")]
#[doc(inline)]
pub use okta_api_governance as governance;
