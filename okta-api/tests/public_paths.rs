//! The paths users import from stay where they were when the runtime and
//! each spec's module moved into crates of their own: this file compiles only
//! if every name below is still reachable through `okta_api`, and the
//! assertions check that the re-exports are the same items, not copies.

use okta_api::{
    defaults, ApiError, ApiResponse, AuthorizationMode, Client, ClientBuilder, Credentials, DpopMode, Error,
    ItemStream, Nullable, Page, PageStream, RateLimit, ResponseMeta, DEFAULT_USER_AGENT,
};

#[test]
fn the_runtime_is_reached_at_the_crate_root() {
    fn named<T>() -> &'static str {
        std::any::type_name::<T>()
    }
    let types = [
        named::<ApiError>(),
        named::<ApiResponse<()>>(),
        named::<AuthorizationMode>(),
        named::<Client>(),
        named::<ClientBuilder>(),
        named::<Credentials>(),
        named::<DpopMode>(),
        named::<Error>(),
        named::<ItemStream<()>>(),
        named::<Nullable<()>>(),
        named::<Page<()>>(),
        named::<PageStream<()>>(),
        named::<RateLimit>(),
        named::<ResponseMeta>(),
    ];
    assert!(
        types.iter().all(|t| t.starts_with("okta_api_runtime::")),
        "{types:?}"
    );
    // The module of defaults, with its constants.
    let _: u32 = defaults::MAX_RETRIES;
    // The version in the User-Agent is the SDK's, though the runtime crate
    // sends it.
    let version = concat!("okta-sdk-rust/", env!("CARGO_PKG_VERSION"), " rust/");
    assert!(DEFAULT_USER_AGENT.starts_with(version), "{DEFAULT_USER_AGENT}");
}

#[test]
fn each_module_keeps_its_paths() {
    // The handle at the module's root and under `apis`, and a model under
    // `models`: the same items through either path.
    use okta_api::legacy::apis::UserApi as LegacyUserApiByApis;
    use okta_api::legacy::models::User as LegacyUser;
    use okta_api::legacy::UserApi as LegacyUserApi;
    use okta_api::management::apis::UserApi as UserApiByApis;
    use okta_api::management::models::User;
    use okta_api::management::UserApi;

    assert_eq!(
        std::any::type_name::<UserApi>(),
        std::any::type_name::<UserApiByApis>()
    );
    assert_eq!(
        std::any::type_name::<LegacyUserApi>(),
        std::any::type_name::<LegacyUserApiByApis>()
    );
    assert!(std::any::type_name::<User>().starts_with("okta_api_management::models::"));
    assert!(std::any::type_name::<LegacyUser>().starts_with("okta_api_legacy::models::"));
}
