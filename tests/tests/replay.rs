//! Recorded Okta traffic (tests/har/), replayed through the SDK's public API
//! the way a user would write each scenario. The replay server fails the
//! test when a request differs from the recording.

use okta_api::legacy::models::{
    ChangePasswordRequest, Group, GroupProfile, PasswordCredential, Role, User, UserCredentials, UserProfile,
    UserStatus,
};
use okta_api::legacy::{GroupApi, UserApi};
use okta_workspace_tests::Replay;
use serde_json::json;

fn new_user(first: &str, last: &str, login: &str) -> User {
    User {
        profile: Some(UserProfile {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: Some(login.into()),
            login: Some(login.into()),
            ..Default::default()
        }),
        credentials: Some(UserCredentials {
            password: Some(PasswordCredential {
                value: Some("Abcd1234".into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn new_group(name: &str) -> Group {
    Group {
        profile: Some(GroupProfile {
            name: Some(name.into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn assert_not_found(err: okta_api::Error) {
    let api = err
        .as_api()
        .unwrap_or_else(|| panic!("expected an API error, got {err}"));
    assert_eq!(api.status.as_u16(), 404);
    assert_eq!(api.error_code.as_deref(), Some("E0000007"));
    assert!(api
        .error_summary
        .as_deref()
        .unwrap_or("")
        .starts_with("Not found"));
    assert!(api.error_id.is_some());
}

#[tokio::test]
async fn group_get() {
    let replay = Replay::start("group-get").await;
    let client = replay.client();
    let groups = GroupApi::new(&client);

    let group = groups.create_group(new_group("Get Test Group")).await.unwrap();
    let id = group.id.clone().expect("Okta assigns an id");
    let fetched = groups.get_group(&id).await.unwrap();
    assert_eq!(fetched, group);
    assert_eq!(
        fetched.profile.as_ref().and_then(|p| p.name.as_deref()),
        Some("Get Test Group")
    );
    fetched.delete(&client).await.unwrap();
    assert_not_found(groups.get_group(&id).await.unwrap_err());
    replay.finish();
}

#[tokio::test]
async fn group_user_operations() {
    let replay = Replay::start("group-user-operations").await;
    let client = replay.client();
    let user = UserApi::new(&client)
        .create_user(new_user("John", "With-Group", "john-with-group@example.com"))
        .activate(false)
        .await
        .unwrap();
    assert_eq!(user.status, Some(UserStatus::Staged));
    let groups = GroupApi::new(&client);
    let group = groups
        .create_group(new_group("Group-Member API Test Group"))
        .await
        .unwrap();
    let (group_id, user_id) = (group.id.clone().unwrap(), user.id.clone().unwrap());

    groups.add_user_to_group(&group_id, &user_id).await.unwrap();
    let members = group.list_users(&client).await.unwrap();
    assert_eq!(
        members.iter().map(|u| u.id.clone()).collect::<Vec<_>>(),
        vec![Some(user_id.clone())]
    );

    group.remove_user(&client, &user_id).await.unwrap();
    assert!(group.list_users(&client).await.unwrap().is_empty());
    replay.finish();
}

#[tokio::test]
async fn list_groups() {
    let replay = Replay::start("list-groups").await;
    let client = replay.client();
    let groups = GroupApi::new(&client);
    let created = groups.create_group(new_group("List Test Group")).await.unwrap();
    let all = groups.list_groups().await.unwrap();
    assert!(all.len() > 1);
    assert!(all.iter().any(|g| g.id == created.id));
    replay.finish();
}

#[tokio::test]
async fn list_users() {
    let replay = Replay::start("list-users").await;
    let client = replay.client();
    let users = UserApi::new(&client);
    let mut user = new_user("John", "List-Users", "john-list-users@example.com");
    // A custom profile attribute: kept beside the typed fields.
    user.profile
        .as_mut()
        .unwrap()
        .additional_properties
        .insert("nickName".into(), json!("johny-list-users"));
    let created = user.create(&client).await.unwrap();

    let found = users
        .list_users()
        .search("profile.nickName eq \"johny-list-users\"")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, created.id);
    assert_eq!(
        found[0]
            .profile
            .as_ref()
            .unwrap()
            .additional_properties
            .get("nickName"),
        Some(&json!("johny-list-users"))
    );

    // The recording lists the whole org several times (Okta's search index is
    // eventually consistent, so the recorded client polled).
    let recorded = okta_workspace_tests::scenario("list-users");
    for exchange in &recorded[2..] {
        let page = users.list_users().await.unwrap();
        let sent: Vec<serde_json::Value> = serde_json::from_str(&exchange.response_body).unwrap();
        assert_eq!(page.len(), sent.len());
    }
    replay.finish();
}

#[tokio::test]
async fn update_group() {
    let replay = Replay::start("update-group").await;
    let client = replay.client();
    let mut group = GroupApi::new(&client)
        .create_group(new_group("Update Test Group"))
        .await
        .unwrap();
    let profile = group.profile.as_mut().unwrap();
    profile.name = Some("Update Test Group - Updated".into());
    profile.description = Some("Description updated".into());
    let updated = group.update(&client).await.unwrap();
    assert_eq!(updated.profile, group.profile);
    replay.finish();
}

#[tokio::test]
async fn user_activate() {
    let replay = Replay::start("user-activate").await;
    let client = replay.client();
    let users = UserApi::new(&client);
    let user = users
        .create_user(new_user("John", "Activate", "john-activate@example.com"))
        .activate(false)
        .await
        .unwrap();
    let token = user.activate(&client, false).await.unwrap();
    assert_eq!(token.activation_token.as_deref(), Some("JuldXoT8xS8whCzpskYQ"));
    let active = users.list_users().filter("status eq \"ACTIVE\"").await.unwrap();
    assert!(!active.is_empty());
    assert!(active.iter().all(|u| u.status == Some(UserStatus::Active)));
    replay.finish();
}

#[tokio::test]
async fn user_change_password() {
    let replay = Replay::start("user-change-password").await;
    let client = replay.client();
    let user = UserApi::new(&client)
        .create_user(new_user(
            "John",
            "Change-Password",
            "john-change-password@example.com",
        ))
        .activate(true)
        .await
        .unwrap();
    let password = |v: &str| PasswordCredential {
        value: Some(v.into()),
        ..Default::default()
    };
    let credentials = user
        .change_password(
            &client,
            ChangePasswordRequest {
                old_password: Some(password("Abcd1234")),
                new_password: Some(password("1234Abcd")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(credentials.provider.is_some());
    let reread = User::read(&client, user.id.clone().unwrap()).await.unwrap();
    assert_ne!(reread.password_changed, user.password_changed);
    replay.finish();
}

#[tokio::test]
async fn user_expire_password() {
    let replay = Replay::start("user-expire-password").await;
    let client = replay.client();
    let users = UserApi::new(&client);
    let user = users
        .create_user(new_user(
            "John",
            "Expire-Password",
            "john-expire-password@example.com",
        ))
        .activate(true)
        .await
        .unwrap();
    let temp = users
        .expire_password(user.id.clone().unwrap())
        .temp_password(true)
        .await
        .unwrap();
    assert_eq!(temp.temp_password.as_deref(), Some("cW8kDao1"));
    replay.finish();
}

#[tokio::test]
async fn user_get() {
    let replay = Replay::start("user-get").await;
    let client = replay.client();
    let users = UserApi::new(&client);
    let user = users
        .create_user(new_user("John", "Get-User", "john-get-user@example.com"))
        .activate(false)
        .await
        .unwrap();
    let by_id = User::read(&client, user.id.clone().unwrap()).await.unwrap();
    let by_login = users.get_user("john-get-user@example.com").await.unwrap();
    assert_eq!(by_id, user);
    assert_eq!(by_login, user);

    user.deactivate(&client).await.unwrap();
    user.delete(&client).await.unwrap();
    assert_not_found(users.get_user("john-get-user@example.com").await.unwrap_err());
    replay.finish();
}

#[tokio::test]
async fn user_group_target_role() {
    let replay = Replay::start("user-group-target-role").await;
    let client = replay.client();
    let user = UserApi::new(&client)
        .create_user(new_user("John", "Group-Target", "john-group-target@example.com"))
        .activate(true)
        .await
        .unwrap();
    let groups = GroupApi::new(&client);
    let first = groups
        .create_group(new_group("Group-Target Test Group"))
        .await
        .unwrap();
    let role = user
        .add_role(
            &client,
            Role {
                type_: Some("USER_ADMIN".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let role_id = role.id.clone().unwrap();
    let first_id = first.id.clone().unwrap();

    user.add_group_target_to_role(&client, &role_id, &first_id)
        .await
        .unwrap();
    let targets = user.list_group_targets_for_role(&client, &role_id).await.unwrap();
    assert_eq!(
        targets.iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
        vec![first.id.clone()]
    );

    let second = groups
        .create_group(new_group("Group-Target User Admin Test Group"))
        .await
        .unwrap();
    user.add_group_target_to_role(&client, &role_id, second.id.clone().unwrap())
        .await
        .unwrap();
    user.remove_group_target_from_role(&client, &role_id, &first_id)
        .await
        .unwrap();
    let targets = user.list_group_targets_for_role(&client, &role_id).await.unwrap();
    assert_eq!(
        targets.iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
        vec![second.id.clone()]
    );
    replay.finish();
}

#[tokio::test]
async fn user_profile_update() {
    let replay = Replay::start("user-profile-update").await;
    let client = replay.client();
    let mut user = UserApi::new(&client)
        .create_user(new_user(
            "John",
            "Profile-Update",
            "john-profile-update@example.com",
        ))
        .activate(false)
        .await
        .unwrap();
    user.profile
        .as_mut()
        .unwrap()
        .additional_properties
        .insert("nickName".into(), json!("Batman"));
    let updated = user.update(&client).await.unwrap();
    assert_eq!(
        updated
            .profile
            .as_ref()
            .unwrap()
            .additional_properties
            .get("nickName"),
        Some(&json!("Batman"))
    );
    let reread = User::read(&client, user.id.clone().unwrap()).await.unwrap();
    assert_eq!(reread.profile, updated.profile);
    replay.finish();
}

/// The harness itself: a request that differs from the recording fails.
#[tokio::test]
async fn replay_rejects_a_request_that_differs() {
    let replay = Replay::start("group-get").await;
    let client = replay.client();
    let mut group = new_group("Get Test Group");
    group.profile.as_mut().unwrap().description = Some("not recorded".into());
    GroupApi::new(&client).create_group(group).await.unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| replay.finish()));
    let message = *outcome
        .expect_err("a different body must fail")
        .downcast::<String>()
        .unwrap();
    assert!(message.contains("body differs"), "{message}");
    assert!(message.contains("not recorded"), "{message}");
}

/// The harness itself: a request that was not made fails.
#[tokio::test]
async fn replay_rejects_a_missing_request() {
    let replay = Replay::start("group-get").await;
    let client = replay.client();
    GroupApi::new(&client)
        .create_group(new_group("Get Test Group"))
        .await
        .unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| replay.finish()));
    let message = *outcome
        .expect_err("skipping requests must fail")
        .downcast::<String>()
        .unwrap();
    assert!(message.contains("4 requests; 1 were made"), "{message}");
}
