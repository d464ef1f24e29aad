//! Publishes a Security Event Token (a signed JWT, `application/secevent+jwt`)
//! to the org's Shared Signals receiver. The token authenticates itself: no
//! API token is sent.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com OKTA_CLIENT_TOKEN=unused \
//!     cargo run --example publish_set --features full -- event.jwt
//! ```

use okta_api::management::SsfSecurityEventTokenApi;
use okta_api::{Client, Error};

/// Sends `token`; Okta answers 202 Accepted.
pub async fn run(client: &Client, token: &str) -> Result<(), Error> {
    SsfSecurityEventTokenApi::new(client)
        .publish_security_event_tokens(token.trim())
        .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = std::env::args()
        .nth(1)
        .ok_or("usage: publish_set <file with the JWT>")?;
    let token = std::fs::read_to_string(file)?;
    let client = Client::from_env()?;
    run(&client, &token).await?;
    println!("accepted");
    Ok(())
}
