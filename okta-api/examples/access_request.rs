//! Submits an access request (Access Requests V2) for a catalog entry on a
//! user's behalf, then follows it until Okta decides it.
//!
//! Needs an API token, or an access token with the scopes
//! `okta.accessRequests.request.manage` and `okta.accessRequests.request.read`.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com OKTA_CLIENT_TOKEN=... \
//!     cargo run --example access_request --features governance-requests -- <catalog entry id> <user id>
//! ```

use std::time::Duration;

use okta_api::governance::models::{
    PrincipalType, RequestCreatable2, RequestResourceCatalogEntryCreatable,
    RequestResourceCatalogEntryCreatableType, RequestStatus, TargetPrincipal,
};
use okta_api::governance::RequestsApi;
use okta_api::{Client, Error};

/// Requests `entry_id` for `user_id`, then reads the request every `every`
/// while it is submitted or pending, and returns the request id and the
/// decision (approved, denied, canceled, expired, rejected).
pub async fn run(
    client: &Client,
    entry_id: &str,
    user_id: &str,
    every: Duration,
) -> Result<(String, RequestStatus), Error> {
    let request = RequestCreatable2 {
        requested: RequestResourceCatalogEntryCreatable {
            type_: RequestResourceCatalogEntryCreatableType::CatalogEntry,
            entry_id: entry_id.to_string(),
            additional_properties: Default::default(),
        }
        .into(),
        requested_by: None,
        requested_for: TargetPrincipal {
            external_id: user_id.to_string(),
            type_: PrincipalType::OktaUser,
            additional_properties: Default::default(),
        },
        requester_field_values: None,
        additional_properties: Default::default(),
    };
    let api = RequestsApi::new(client);
    // Okta answers 202 Accepted: the request is recorded, not yet decided.
    let submitted = api.create_request_v2(request).await?;
    loop {
        let current = api.get_request_v2(submitted.id.clone()).await?;
        match current.status {
            None | Some(RequestStatus::Submitted | RequestStatus::Pending) => tokio::time::sleep(every).await,
            Some(decided) => return Ok((submitted.id, decided)),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(entry), Some(user)) = (args.next(), args.next()) else {
        return Err("usage: access_request <catalog entry id> <user id>".into());
    };
    let client = Client::from_env()?;
    let (id, status) = run(&client, &entry, &user, Duration::from_secs(10)).await?;
    println!("request {id}: {status}");
    Ok(())
}
