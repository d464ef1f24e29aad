//! Assigns a user to an application, with the app-specific user name.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com OKTA_CLIENT_TOKEN=... \
//!     cargo run --example assign_user_to_app -- 0oa1abcd 00u1abcd ada
//! ```

use okta_api::legacy::models::{AppUser, AppUserCredentials};
use okta_api::legacy::ApplicationApi;
use okta_api::{Client, Error};

/// Assigns `user_id` to `app_id`; returns the assignment's status.
pub async fn run(
    client: &Client,
    app_id: &str,
    user_id: &str,
    user_name: &str,
) -> Result<Option<String>, Error> {
    let assignment = AppUser {
        id: Some(user_id.into()),
        scope: Some("USER".into()),
        credentials: Some(AppUserCredentials {
            user_name: Some(user_name.into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let assigned = ApplicationApi::new(client)
        .assign_user_to_application(app_id, assignment)
        .await?;
    Ok(assigned.status)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [app_id, user_id, user_name] = args.as_slice() else {
        return Err("usage: assign_user_to_app <app id> <user id> <app user name>".into());
    };
    let client = Client::from_env()?;
    let status = run(&client, app_id, user_id, user_name).await?;
    println!("assigned: {}", status.unwrap_or_default());
    Ok(())
}
