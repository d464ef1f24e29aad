//! The only place that turns spec names into Rust identifiers.

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::ir::{RustIdent, TypeName};

/// Words heck would split wrongly, mapped to how they should read once cased.
/// Each entry has a test below.
const ACRONYMS: &[(&str, &str)] = &[
    ("OAuth", "Oauth"),
    ("oAuth", "oauth"),
    ("GAed", "Gaed"),
    ("iOS", "Ios"),
    ("IdP", "Idp"),
    ("IPs", "Ips"),
    ("URIs", "Uris"),
    ("URLs", "Urls"),
    ("SAMLmetadata", "SamlMetadata"),
    ("AAGUIDs", "Aaguids"),
    ("AAGUID", "Aaguid"),
    ("IDs", "Ids"),
];

/// Strict and reserved keywords; `self`-like ones cannot be raw identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while",
    "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try", "typeof",
    "unsized", "virtual", "yield",
];

fn prepare(name: &str) -> String {
    let mut s = name.to_string();
    for (from, to) in ACRONYMS {
        s = s.replace(from, to);
    }
    // Separators heck does not know about become word breaks.
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn escape(ident: String, fallback: &str) -> String {
    let ident = if ident.is_empty() {
        fallback.to_string()
    } else {
        ident
    };
    let ident = if ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{fallback}{ident}")
    } else {
        ident
    };
    if KEYWORDS.contains(&ident.as_str()) {
        format!("{ident}_")
    } else {
        ident
    }
}

/// snake_case identifier for fields, parameters, methods and modules.
pub fn snake(name: &str) -> RustIdent {
    RustIdent(escape(prepare(name).to_snake_case(), "n_"))
}

/// PascalCase identifier for types and enum variants.
pub fn pascal(name: &str) -> TypeName {
    let cased = prepare(name).to_upper_camel_case();
    // heck drops signs and other symbols; keep a word for the common ones.
    let cased = if cased.is_empty() {
        match name {
            "+" => "Plus".into(),
            "-" => "Minus".into(),
            "*" => "Star".into(),
            _ => cased,
        }
    } else {
        cased
    };
    TypeName(escape(cased, "V"))
}

/// A PascalCase name built from parts: the `_` that escapes `Self` is
/// dropped once something follows it (`Self_` + `Api` is `SelfApi`), since
/// an underscore inside a type name is not camel case.
pub fn camel(name: &str) -> String {
    let joined: String = name
        .char_indices()
        .filter(|&(i, c)| c != '_' || i == name.len() - 1)
        .map(|(_, c)| c)
        .collect();
    if joined.ends_with('_') && joined != "Self_" {
        joined.trim_end_matches('_').to_string()
    } else {
        joined
    }
}

/// Makes `candidate` unique among `taken` by appending 2, 3, ... and records
/// it. Returns the unique name and whether it had to change. A PascalCase
/// name that ends in the keyword escape `_` takes the number instead
/// (`Self_`, then `Self2`), so it stays camel case.
pub fn unique(taken: &mut std::collections::BTreeSet<String>, candidate: String) -> (String, bool) {
    if taken.insert(candidate.clone()) {
        return (candidate, false);
    }
    let stem = if candidate.starts_with(|c: char| c.is_ascii_uppercase()) {
        candidate.trim_end_matches('_')
    } else {
        candidate.as_str()
    };
    let mut n = 2;
    loop {
        let next = format!("{stem}{n}");
        if taken.insert(next.clone()) {
            return (next, true);
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronym_table_entries() {
        assert_eq!(
            pascal("OAuthApplicationCredentials").0,
            "OauthApplicationCredentials"
        );
        assert_eq!(snake("iOS").0, "ios");
        assert_eq!(snake("oAuth2Settings").0, "oauth2_settings");
        assert_eq!(snake("isLatestGAedVersion").0, "is_latest_gaed_version");
        assert_eq!(snake("IdPDiscoveryRule").0, "idp_discovery_rule");
        assert_eq!(snake("externalIPs").0, "external_ips");
        assert_eq!(snake("redirectURIs").0, "redirect_uris");
        assert_eq!(snake("backchannelURLs").0, "backchannel_urls");
        assert_eq!(snake("groupIDs").0, "group_ids");
        assert_eq!(snake("listAllCustomAAGUIDs").0, "list_all_custom_aaguids");
        assert_eq!(
            snake("previewSAMLmetadataForApplication").0,
            "preview_saml_metadata_for_application"
        );
        assert_eq!(
            pascal("CustomAAGUIDResponseObject").0,
            "CustomAaguidResponseObject"
        );
    }

    #[test]
    fn keywords_and_wire_oddities() {
        assert_eq!(snake("type").0, "type_");
        assert_eq!(snake("self").0, "self_");
        assert_eq!(snake("_links").0, "links");
        assert_eq!(snake("token:software:totp").0, "token_software_totp");
        assert_eq!(pascal("token:software:totp").0, "TokenSoftwareTotp");
        assert_eq!(pascal("SAML_2_0").0, "Saml20");
        assert_eq!(pascal("2FA").0, "V2fa");
        assert_eq!(snake("").0, "n_");
        assert_eq!(pascal("+").0, "Plus");
    }

    #[test]
    fn uniqueness_is_deterministic() {
        let mut taken = Default::default();
        assert_eq!(unique(&mut taken, "A".into()), ("A".into(), false));
        assert_eq!(unique(&mut taken, "A".into()), ("A2".into(), true));
        assert_eq!(unique(&mut taken, "A".into()), ("A3".into(), true));
        assert_eq!(unique(&mut taken, "Self_".into()), ("Self_".into(), false));
        assert_eq!(unique(&mut taken, "Self_".into()), ("Self2".into(), true));
        assert_eq!(unique(&mut taken, "type_".into()), ("type_".into(), false));
        assert_eq!(unique(&mut taken, "type_".into()), ("type_2".into(), true));
    }

    #[test]
    fn composed_type_names_stay_camel_case() {
        assert_eq!(camel("Self_"), "Self_");
        assert_eq!(camel("Self_Api"), "SelfApi");
        assert_eq!(camel("Self_Status"), "SelfStatus");
        assert_eq!(camel("ThingSelf_"), "ThingSelf");
        assert_eq!(camel("UserApi"), "UserApi");
    }
}
