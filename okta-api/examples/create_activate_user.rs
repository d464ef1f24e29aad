//! Creates a user without activating it, then activates it without sending
//! the activation email, and prints the activation link.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com OKTA_CLIENT_TOKEN=... \
//!     cargo run --example create_activate_user -- ada@example.com Ada Lovelace
//! ```

use okta_api::legacy::models::{User, UserProfile};
use okta_api::legacy::UserApi;
use okta_api::{Client, Error};

/// Creates and activates the user; returns its id and the activation URL.
pub async fn run(
    client: &Client,
    login: &str,
    first: &str,
    last: &str,
) -> Result<(String, Option<String>), Error> {
    let user = User {
        profile: Some(UserProfile {
            login: Some(login.into()),
            email: Some(login.into()),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = UserApi::new(client).create_user(user).activate(false).await?;
    let token = created.activate(client, false).await?;
    Ok((created.id.unwrap_or_default(), token.activation_url))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [login, first, last] = args.as_slice() else {
        return Err("usage: create_activate_user <login> <first name> <last name>".into());
    };
    let client = Client::from_env()?;
    match run(&client, login, first, last).await {
        Ok((id, url)) => println!("created {id}; activation link: {}", url.unwrap_or_default()),
        // A login that is taken comes back as Okta's E0000001 with the cause.
        Err(Error::Api(e)) if e.error_code.as_deref() == Some("E0000001") => {
            eprintln!("Okta rejected the user: {}", e.error_causes.join("; "));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
