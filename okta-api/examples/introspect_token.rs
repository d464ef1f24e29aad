//! Asks the org authorization server whether a token is active, and what it
//! says about its subject. The endpoint takes the caller's client
//! authentication, not the org's API token: this sends the app's client id
//! and secret in the form (`client_secret_post`), and the client's own
//! credentials are never sent there.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com OKTA_CLIENT_TOKEN=unused \
//!     CLIENT_ID=0oa... CLIENT_SECRET=... \
//!     cargo run --example introspect_token --features oauth-org-as -- <token>
//! ```

use okta_api::oauth::models::{IntrospectionRequest, IntrospectionResponse, TokenTypeHintIntrospect};
use okta_api::oauth::OrgAsApi;
use okta_api::{Client, Error};

/// Introspects `token` (an access token) as the app `client_id`.
pub async fn run(
    client: &Client,
    client_id: &str,
    client_secret: &str,
    token: &str,
) -> Result<IntrospectionResponse, Error> {
    let mut form = IntrospectionRequest {
        token: Some(token.to_string()),
        token_type_hint: Some(TokenTypeHintIntrospect::AccessToken),
        ..Default::default()
    };
    // Client authentication goes in the form beside the spec's properties.
    form.additional_properties
        .insert("client_id".into(), client_id.into());
    form.additional_properties
        .insert("client_secret".into(), client_secret.into());
    OrgAsApi::new(client)
        .introspect()
        .introspection_request(form)
        .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::args().nth(1).ok_or("usage: introspect_token <token>")?;
    let client_id = std::env::var("CLIENT_ID")?;
    let client_secret = std::env::var("CLIENT_SECRET")?;
    let client = Client::from_env()?;
    let answer = run(&client, &client_id, &client_secret, &token).await?;
    match answer.active {
        Some(true) => println!(
            "active: subject {}, scopes {}",
            answer.sub.unwrap_or_default(),
            answer.scope.unwrap_or_default()
        ),
        _ => println!("not active"),
    }
    Ok(())
}
