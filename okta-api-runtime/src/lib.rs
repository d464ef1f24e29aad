//! The hand-written runtime of the `okta-api` SDK: client, configuration,
//! credentials (API token, bearer token, service app with DPoP), retries and
//! rate limits, pagination and errors.
//!
//! Users depend on `okta-api`, which re-exports everything public here under
//! the same names (`okta_api::Client`, `okta_api::Error`, ...). The crates
//! generated from each spec (`okta-api-management`, `okta-api-legacy`, ...)
//! depend on this one and build beside each other.

#![warn(missing_docs)]

// A call, stage by stage.

// 1. Configuration: builder, okta.yaml, environment; every value checked.
mod config;

// 2. Credentials: API token, bearer token, service app (private keys, DPoP).
mod auth;
mod dpop;
mod keys;

// 3. The request: URL, parameters and body, and the response to decode. Used
// by the generated crates; public so their builders can name it. Properties
// that can be cleared are `Nullable`.
mod locate;
mod nullable;
mod object;
#[doc(hidden)]
pub mod runtime;
#[doc(hidden)]
pub mod tolerant;

// 4. Sending: auth, retries, rate limits, bounded bodies.
mod client;
mod rate_limit;

// 5. Lists: pages and streams that follow `Link` headers.
mod pagination;

// 6. What a failed call says.
mod error;

pub use auth::{Credentials, DpopMode};
pub use client::{Client, DEFAULT_USER_AGENT};
pub use config::{defaults, AuthorizationMode, ClientBuilder};
pub use error::{ApiError, Error};
pub use nullable::Nullable;
pub use pagination::{ItemStream, Page, PageStream};
pub use rate_limit::RateLimit;
pub use runtime::{ApiResponse, ResponseMeta};
