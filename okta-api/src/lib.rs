//! Async Rust SDK for the Okta APIs.
//!
//! The runtime (client, credentials, errors) is hand-written and shared; the
//! models and operations of each bundled spec are generated into their own
//! module, behind a cargo feature of the same name:
//!
//! - [`legacy`] (feature `legacy`, default): the Okta API 1.9.0 spec, with
//!   resource methods on models (`user.activate(&client, ..)`).
//!
//! ```no_run
//! # async fn example() -> Result<(), okta_api::Error> {
//! use okta_api::legacy::UserApi;
//!
//! let client = okta_api::Client::builder()
//!     .org_url("https://dev-123456.okta.com")
//!     .api_token("00abc...")
//!     .build()?;
//! let users = UserApi::new(&client).list_users().search("status eq \"ACTIVE\"").await?;
//! for user in &users {
//!     println!("{:?}", user.id);
//! }
//! # Ok(())
//! # }
//! ```

mod auth;
mod client;
mod config;
mod error;
mod pagination;
// Used by the generated modules; public so their builders can name it.
#[doc(hidden)]
pub mod runtime;

pub use auth::Credentials;
pub use client::{Client, DEFAULT_USER_AGENT};
pub use config::{defaults, AuthorizationMode, ClientBuilder};
pub use error::{ApiError, Error};
pub use pagination::{ItemStream, Page, PageStream};

// Generated modules are formatted by the generator (prettyplease), not rustfmt.
#[cfg(feature = "legacy")]
#[rustfmt::skip]
pub mod legacy;
