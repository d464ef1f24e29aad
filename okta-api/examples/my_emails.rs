//! Lists the signed-in user's own email addresses through the MyAccount
//! API. MyAccount acts for a user: it takes that user's access token (with
//! the scope `okta.myAccount.email.read`) as a bearer token, never an API
//! token.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com USER_ACCESS_TOKEN=eyJ... \
//!     cargo run --example my_emails --features myaccount-email
//! ```

use okta_api::myaccount::EmailApi;
use okta_api::{Client, Error};

/// `(address, status)` of every email address of the token's user.
pub async fn run(client: &Client) -> Result<Vec<(String, String)>, Error> {
    let emails = EmailApi::new(client).list_emails().await?;
    Ok(emails
        .into_iter()
        .map(|e| (e.profile.email, e.status.to_string()))
        .collect())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .org_url(std::env::var("OKTA_CLIENT_ORGURL")?)
        .bearer_token(std::env::var("USER_ACCESS_TOKEN")?)
        .build()?;
    for (address, status) in run(&client).await? {
        println!("{address} ({status})");
    }
    Ok(())
}
