//! Sends a push challenge to a user's Okta Verify and polls until the user
//! answers (or the challenge times out), following the `_links.poll` href
//! Okta returns instead of parsing a transaction id out of it.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com OKTA_CLIENT_TOKEN=... \
//!     cargo run --example poll_push_factor -- 00u1abcd opf1abcd
//! ```

use std::time::Duration;

use okta_api::legacy::models::{FactorResultType, VerifyFactorRequest, VerifyFactorResponse};
use okta_api::legacy::UserFactorApi;
use okta_api::{Client, Error};

/// The poll link of a verification that is still waiting.
fn poll_href(response: &VerifyFactorResponse) -> Option<&str> {
    response.links.as_ref()?.get("poll")?.get("href")?.as_str()
}

/// Verifies the push factor and polls every `interval` until the result is
/// no longer `WAITING`; returns the final result.
pub async fn run(
    client: &Client,
    user_id: &str,
    factor_id: &str,
    interval: Duration,
) -> Result<Option<FactorResultType>, Error> {
    let started = UserFactorApi::new(client)
        .verify_factor(user_id, factor_id, VerifyFactorRequest::default())
        .send_with_response()
        .await?;
    // 201 Created: the challenge was sent and the answer is pending.
    println!("challenge sent ({})", started.meta.status);
    let mut response = started.body;
    while response.factor_result == Some(FactorResultType::Waiting) {
        let Some(href) = poll_href(&response) else { break };
        tokio::time::sleep(interval).await;
        response = client.get_href(href).await?;
    }
    Ok(response.factor_result)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(user), Some(factor)) = (args.next(), args.next()) else {
        return Err("usage: poll_push_factor <userId> <factorId>".into());
    };
    let client = Client::from_env()?;
    let result = run(&client, &user, &factor, Duration::from_secs(4)).await?;
    println!("{result:?}");
    Ok(())
}
