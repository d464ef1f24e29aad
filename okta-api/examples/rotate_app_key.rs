//! Rotates an application's signing key: generates a new key credential,
//! then points the app's `credentials.signing.kid` at it.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com OKTA_CLIENT_TOKEN=... \
//!     cargo run --example rotate_app_key --features full -- 0oa1abcd
//! ```

use okta_api::management::models::Application;
use okta_api::management::{ApplicationApi, ApplicationSsoCredentialKeyApi};
use okta_api::{Client, Error};

/// Generates a key valid for two years and makes it the app's signing key;
/// returns the new key id.
pub async fn run(client: &Client, app_id: &str) -> Result<String, Box<dyn std::error::Error>> {
    let key = ApplicationSsoCredentialKeyApi::new(client)
        .generate_application_key(app_id, 2)
        .await?;
    let kid = key.kid.ok_or("Okta returned a key without a kid")?;
    let app = ApplicationApi::new(client).get_application(app_id).await?;
    // Where the signing key lives depends on the app's sign-on mode, so it is
    // set on the JSON; every other field (known or not) goes back unchanged.
    let mut json = serde_json::to_value(&app)?;
    json["credentials"]["signing"]["kid"] = serde_json::Value::String(kid.clone());
    let app: Application = serde_json::from_value(json)?;
    ApplicationApi::new(client)
        .replace_application(app_id, app)
        .await?;
    Ok(kid)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app_id = std::env::args().nth(1).ok_or("usage: rotate_app_key <app id>")?;
    let client = Client::from_env()?;
    match run(&client, &app_id).await {
        Ok(kid) => println!("signing with {kid}"),
        Err(e) => match e.downcast_ref::<Error>() {
            Some(Error::Api(api)) => eprintln!("Okta refused: {api}"),
            _ => return Err(e),
        },
    }
    Ok(())
}
