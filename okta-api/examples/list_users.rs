//! Lists the users that match a filter, following pages as needed.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com OKTA_CLIENT_TOKEN=... \
//!     cargo run --example list_users -- 'status eq "ACTIVE"'
//! ```

use futures::StreamExt;
use okta_api::legacy::UserApi;
use okta_api::{Client, Error};

/// The logins of every user matching `filter`, across all pages.
pub async fn run(client: &Client, filter: &str) -> Result<Vec<String>, Error> {
    let mut users = UserApi::new(client)
        .list_users()
        .filter(filter)
        .limit(200)
        .stream();
    let mut logins = Vec::new();
    while let Some(user) = users.next().await {
        let user = user?;
        let login = user.profile.and_then(|p| p.login).unwrap_or_default();
        logins.push(login);
    }
    Ok(logins)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let filter = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "status eq \"ACTIVE\"".into());
    let client = Client::from_env()?;
    for login in run(&client, &filter).await? {
        println!("{login}");
    }
    Ok(())
}
