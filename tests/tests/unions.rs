//! One-ofs without a discriminator decode as the alternative a value fits
//! best, not the first that fits: with the recorded traffic, and with a
//! body made from each alternative's own properties for every such one-of
//! of the Management spec.

use okta_api::management::models::{Group, GroupProfile};
use okta_codegen::ir::{Api, ModelKind, Shape, TypeRef};
use okta_workspace_tests::{management_api, management_types, scenario};
use serde_json::{json, Map, Value};

#[test]
fn a_recorded_active_directory_group_profile_is_read_as_one() {
    let page = scenario("list-groups")
        .into_iter()
        .find(|e| e.path == "/api/v1/groups" && e.response_body.contains("samAccountName"))
        .expect("the recording lists an Active Directory group");
    let groups: Vec<Group> = serde_json::from_str(&page.response_body).unwrap();
    let mut seen = 0;
    for group in &groups {
        let is_ad = group
            .object_class
            .iter()
            .flatten()
            .any(|c| c == "okta:windows_security_principal");
        match (&group.profile, is_ad) {
            (Some(GroupProfile::OktaActiveDirectoryGroupProfile(p)), true) => {
                assert!(p.sam_account_name.is_some() && p.dn.is_some(), "{p:?}");
                seen += 1;
            }
            (Some(GroupProfile::OktaUserGroupProfile(_)), false) => {}
            (profile, _) => panic!("{:?} ({is_ad}) read as {profile:?}", group.id),
        }
    }
    assert!(seen > 0, "no Active Directory group in the recording");
}

/// A value of type `t` that fits it, made from the spec: required
/// properties and fixed values set, lists and maps empty.
fn value_of(api: &Api, t: &TypeRef, depth: usize) -> Value {
    match t {
        TypeRef::String | TypeRef::Bytes => json!("x"),
        TypeRef::Bool => json!(true),
        TypeRef::I32 | TypeRef::I64 => json!(1),
        TypeRef::F64 => json!(1.5),
        TypeRef::Any | TypeRef::Map(_) => json!({}),
        TypeRef::Array(_) => json!([]),
        TypeRef::Named(n) if depth < 8 => match api.model(n).map(|m| &m.kind) {
            Some(ModelKind::Enum(e)) => json!(e.values[0].wire),
            Some(ModelKind::Struct(s)) => {
                let mut object = Map::new();
                for f in s.fields.iter().filter(|f| f.required) {
                    object.insert(f.wire.0.clone(), value_of(api, &f.ty, depth + 1));
                }
                for fixed in &s.fixed {
                    object.insert(fixed.field.0.clone(), json!(fixed.value));
                }
                Value::Object(object)
            }
            Some(ModelKind::Union(u)) => {
                let v = &u.variants[0];
                let mut value = value_of(api, &TypeRef::Named(v.ty.clone()), depth + 1);
                value[&u.property.0] = json!(v.values[0]);
                value
            }
            Some(ModelKind::OneOf(o)) => value_of(api, &o.variants[0].ty, depth + 1),
            Some(ModelKind::Alias(inner)) => value_of(api, inner, depth + 1),
            None => json!({}),
        },
        TypeRef::Named(_) => json!({}),
    }
}

/// A body of one alternative: every property it knows, each with a value
/// of its type, its constants set to their first allowed value.
fn body_of(api: &Api, ty: &TypeRef, shape: &Shape) -> Value {
    let TypeRef::Named(name) = ty else {
        unreachable!("only struct alternatives have a shape")
    };
    let fields = match api.model(name).map(|m| &m.kind) {
        Some(ModelKind::Struct(s)) => s.fields.clone(),
        Some(ModelKind::Alias(TypeRef::Named(inner))) => match api.model(inner).map(|m| &m.kind) {
            Some(ModelKind::Struct(s)) => s.fields.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut object = Map::new();
    for f in &fields {
        object.insert(f.wire.0.clone(), value_of(api, &f.ty, 1));
    }
    for (wire, values) in &shape.constants {
        object.insert(wire.0.clone(), json!(values[0]));
    }
    Value::Object(object)
}

#[test]
fn every_alternative_a_body_can_tell_apart_is_chosen_for_its_own_body() {
    let api = management_api();
    let (mut checked, mut alike) = (0, Vec::new());
    for m in &api.models {
        let ModelKind::OneOf(o) = &m.kind else { continue };
        if !o.best_match {
            continue;
        }
        for a in &o.variants {
            let Some(shape) = &a.shape else { continue };
            // Alternatives of the same shape cannot be told apart by any body
            // (`UserFactorVerifyRequest`'s `call`, `sms` and `email` are all
            // `{passCode}`): the first in the spec's order is chosen.
            if o.variants
                .iter()
                .any(|b| b.name != a.name && b.shape.as_ref() == Some(shape))
            {
                alike.push(format!("{}::{}", m.name, a.name));
                continue;
            }
            let body = body_of(api, &a.ty, shape);
            let decoded = management_types::decoded(&m.name.0, body.clone())
                .expect("a best-match one-of is in the type table")
                .unwrap_or_else(|e| panic!("{}: {body}: {e}", m.name));
            assert!(
                decoded.starts_with(&format!("{}(", a.name)),
                "{}: the body of `{}` ({body}) was read as {}",
                m.name,
                a.name,
                &decoded[..decoded.len().min(200)]
            );
            checked += 1;
        }
    }
    println!(
        "{checked} alternatives chosen for their own bodies; {} alike, not told apart: {alike:?}",
        alike.len()
    );
    assert!(checked >= 40, "only {checked} alternatives checked");
}
