//! DPoP proofs (RFC 9449) for service apps whose Okta settings require
//! "Demonstrating Proof of Possession": every token request and every API
//! call carries a fresh JWT, signed by a key pair of the client's own, that
//! binds it to the HTTP method and URL.

use std::fmt;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde::Serialize;

/// A P-256 key pair used only for DPoP, generated per client.
///
/// Proofs are signed with ring directly rather than through jsonwebtoken:
/// the key pair is parsed once here instead of on every proof, the header
/// (the same for every proof) is encoded once, and ring's fixed-size ECDSA
/// signature is already the `r || s` a JWS carries.
pub(crate) struct DpopKey {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
    /// The encoded protected header, which holds the public key.
    header: String,
    /// RFC 7638 thumbprint of the public key.
    jkt: String,
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("jkt", &self.jkt)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct ProofHeader<'a> {
    typ: &'static str,
    alg: &'static str,
    jwk: PublicJwk<'a>,
}

/// The public half of the key; a DPoP header never carries `d`.
#[derive(Serialize)]
struct PublicJwk<'a> {
    kty: &'static str,
    crv: &'static str,
    x: &'a str,
    y: &'a str,
}

#[derive(Serialize)]
struct ProofClaims<'a> {
    jti: String,
    htm: &'a str,
    htu: String,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<String>,
}

impl DpopKey {
    /// A new key pair from the system's random number generator. Errors say
    /// what failed, for the caller to put in context.
    pub(crate) fn generate() -> Result<DpopKey, String> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| "the system random number generator failed")?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|e| format!("ring rejected the key it generated ({e})"))?;
        // An uncompressed point: 0x04, then x and y, 32 bytes each.
        let (x, y) = match pair.public_key().as_ref() {
            [0x04, coordinates @ ..] if coordinates.len() == 64 => coordinates.split_at(32),
            _ => return Err("the generated public key is not an uncompressed P-256 point".into()),
        };
        let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
        let header = ProofHeader {
            typ: "dpop+jwt",
            alg: "ES256",
            jwk: PublicJwk {
                kty: "EC",
                crv: "P-256",
                x: &x,
                y: &y,
            },
        };
        let header = encode_json(&header)?;
        // RFC 7638: the required members only, in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let jkt = URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes()));
        Ok(DpopKey {
            pair,
            rng,
            header,
            jkt,
        })
    }

    /// The public JWK thumbprint (RFC 7638, SHA-256, base64url) — `jkt`, for tests and logging.
    pub(crate) fn thumbprint(&self) -> String {
        self.jkt.clone()
    }

    /// A fresh proof for one HTTP request. `nonce` is the last one the server
    /// sent (`DPoP-Nonce`); `access_token` is given for resource requests,
    /// which carry its hash (`ath`), and not for token requests. Errors are
    /// put the same way as `generate`'s.
    pub(crate) fn proof(
        &self,
        method: &reqwest::Method,
        url: &url::Url,
        nonce: Option<&str>,
        access_token: Option<&str>,
    ) -> Result<String, String> {
        let mut jti = [0u8; 16];
        self.rng
            .fill(&mut jti)
            .map_err(|_| "the system random number generator failed")?;
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| "the system clock is before 1970")?
            .as_secs();
        let claims = ProofClaims {
            jti: URL_SAFE_NO_PAD.encode(jti),
            htm: method.as_str(),
            htu: htu(url),
            iat,
            nonce,
            ath: access_token.map(|token| {
                URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()))
            }),
        };
        let signing_input = format!("{}.{}", self.header, encode_json(&claims)?);
        let signature = self
            .pair
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| "ring could not sign it")?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }
}

/// A JWS segment: the value as JSON, base64url without padding.
pub(crate) fn encode_json(value: &impl Serialize) -> Result<String, String> {
    let json = serde_json::to_vec(value).map_err(|e| format!("its JSON could not be written ({e})"))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// `htu` of a URL: scheme, host (and port if not default) and path exactly
/// as sent (percent-encoding untouched), no query, no fragment.
///
/// `url::Url` already leaves out a default port and keeps the path in the
/// percent-encoded form it is sent in; user information is dropped too.
pub(crate) fn htu(url: &url::Url) -> String {
    let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        let _ = write!(out, ":{port}");
    }
    out.push_str(url.path());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    use serde_json::Value;

    fn now() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
    }

    /// Checks the proof's signature with the key in its own header, and
    /// returns the header as raw JSON and the claims.
    fn verified(proof: &str) -> (Value, Value) {
        let header = jsonwebtoken::decode_header(proof).unwrap();
        assert_eq!(header.alg, Algorithm::ES256);
        assert_eq!(header.typ.as_deref(), Some("dpop+jwt"));
        let key = DecodingKey::from_jwk(header.jwk.as_ref().expect("a jwk in the header")).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<Value>(proof, &key, &validation)
            .unwrap()
            .claims;
        let segment = proof.split('.').next().unwrap();
        let raw = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap();
        (raw, claims)
    }

    fn url(text: &str) -> url::Url {
        url::Url::parse(text).unwrap()
    }

    #[test]
    fn proof_is_signed_by_the_key_in_its_header() {
        let key = DpopKey::generate().unwrap();
        let target = url("https://dev-1.okta.com/oauth2/v1/token?x=1#f");
        let proof = key.proof(&reqwest::Method::POST, &target, None, None).unwrap();
        assert_eq!(proof.split('.').count(), 3);
        let (header, claims) = verified(&proof);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], "https://dev-1.okta.com/oauth2/v1/token");
        let iat = claims["iat"].as_u64().unwrap();
        assert!(iat.abs_diff(now()) <= 5, "iat {iat}");
        assert!(claims.get("nonce").is_none());
        assert!(claims.get("ath").is_none());
    }

    #[test]
    fn header_jwk_is_the_public_key_only() {
        let key = DpopKey::generate().unwrap();
        let proof = key
            .proof(
                &reqwest::Method::GET,
                &url("https://o.okta.com/api/v1/users"),
                None,
                None,
            )
            .unwrap();
        let (header, _) = verified(&proof);
        let jwk = header["jwk"].as_object().unwrap();
        let mut names: Vec<&str> = jwk.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["crv", "kty", "x", "y"]);
        assert!(!jwk.contains_key("d"));
        assert_eq!(
            (jwk["kty"].as_str(), jwk["crv"].as_str()),
            (Some("EC"), Some("P-256"))
        );
        for coordinate in ["x", "y"] {
            assert_eq!(
                URL_SAFE_NO_PAD
                    .decode(jwk[coordinate].as_str().unwrap())
                    .unwrap()
                    .len(),
                32
            );
        }
    }

    #[test]
    fn thumbprint_is_rfc7638_of_the_header_jwk() {
        let key = DpopKey::generate().unwrap();
        let proof = key
            .proof(&reqwest::Method::GET, &url("https://o.okta.com/"), None, None)
            .unwrap();
        let (header, _) = verified(&proof);
        let jwk = &header["jwk"];
        let canonical =
            serde_json::json!({ "crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"], "y": jwk["y"] });
        let canonical = serde_json::to_string(&canonical).unwrap();
        assert!(
            canonical.starts_with(r#"{"crv":"P-256","kty":"EC","x":""#),
            "{canonical}"
        );
        let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
        assert_eq!(key.thumbprint(), URL_SAFE_NO_PAD.encode(digest));
        assert_eq!(key.thumbprint().len(), 43);
        assert_ne!(key.thumbprint(), DpopKey::generate().unwrap().thumbprint());
    }

    #[test]
    fn every_proof_has_its_own_jti() {
        let key = DpopKey::generate().unwrap();
        let target = url("https://o.okta.com/api/v1/users");
        let jtis: std::collections::HashSet<String> = (0..20)
            .map(|_| {
                let (_, claims) = verified(&key.proof(&reqwest::Method::GET, &target, None, None).unwrap());
                let jti = claims["jti"].as_str().unwrap().to_owned();
                assert_eq!(URL_SAFE_NO_PAD.decode(&jti).unwrap().len(), 16);
                jti
            })
            .collect();
        assert_eq!(jtis.len(), 20);
    }

    #[test]
    fn ath_is_the_hash_of_the_access_token() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let digest: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let expected = URL_SAFE_NO_PAD.encode(digest);
        assert_eq!(expected, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        let key = DpopKey::generate().unwrap();
        let target = url("https://o.okta.com/api/v1/users/me");
        let proof = key
            .proof(&reqwest::Method::GET, &target, None, Some("abc"))
            .unwrap();
        assert_eq!(verified(&proof).1["ath"], expected);
    }

    #[test]
    fn nonce_only_when_given() {
        let key = DpopKey::generate().unwrap();
        let target = url("https://o.okta.com/oauth2/v1/token");
        let proof = key
            .proof(&reqwest::Method::POST, &target, Some("n-0S6_WzA2Mj"), None)
            .unwrap();
        let (_, claims) = verified(&proof);
        assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
        let (_, claims) = verified(&key.proof(&reqwest::Method::POST, &target, None, None).unwrap());
        assert!(claims.get("nonce").is_none());
    }

    #[test]
    fn htm_is_the_method() {
        let key = DpopKey::generate().unwrap();
        let target = url("https://o.okta.com/api/v1/users/00u1");
        for method in [
            reqwest::Method::DELETE,
            reqwest::Method::PUT,
            reqwest::Method::PATCH,
        ] {
            let (_, claims) = verified(&key.proof(&method, &target, None, None).unwrap());
            assert_eq!(claims["htm"], method.as_str());
        }
    }

    #[test]
    fn htu_keeps_the_path_as_sent_and_drops_query_and_fragment() {
        let cases = [
            (
                "https://o.okta.com/api/v1/users/ada@example.com",
                "https://o.okta.com/api/v1/users/ada@example.com",
            ),
            (
                "https://o.okta.com/api/v1/users/a%2Fb",
                "https://o.okta.com/api/v1/users/a%2Fb",
            ),
            (
                "https://o.okta.com/api/v1/users/a%20b",
                "https://o.okta.com/api/v1/users/a%20b",
            ),
            (
                "https://o.okta.com/api/v1/users/a b",
                "https://o.okta.com/api/v1/users/a%20b",
            ),
            (
                "https://o.okta.com/api/v1/a:b/c",
                "https://o.okta.com/api/v1/a:b/c",
            ),
            (
                "https://o.okta.com/api/v1/users?q=a&limit=2",
                "https://o.okta.com/api/v1/users",
            ),
            (
                "https://o.okta.com/api/v1/users#top",
                "https://o.okta.com/api/v1/users",
            ),
            (
                "https://o.okta.com/api/v1/users?after=x#top",
                "https://o.okta.com/api/v1/users",
            ),
            (
                "https://o.okta.com:443/oauth2/v1/token",
                "https://o.okta.com/oauth2/v1/token",
            ),
            ("http://127.0.0.1:80/token", "http://127.0.0.1/token"),
            (
                "https://o.okta.com:8443/oauth2/v1/token",
                "https://o.okta.com:8443/oauth2/v1/token",
            ),
            (
                "http://[::1]:8080/oauth2/v1/token?x",
                "http://[::1]:8080/oauth2/v1/token",
            ),
            ("https://[2001:db8::1]/api", "https://[2001:db8::1]/api"),
            ("https://user:secret@o.okta.com/api", "https://o.okta.com/api"),
            ("https://O.Okta.COM", "https://o.okta.com/"),
        ];
        for (input, expected) in cases {
            assert_eq!(htu(&url(input)), expected, "for {input}");
        }
    }

    #[test]
    fn debug_shows_only_the_thumbprint() {
        let key = DpopKey::generate().unwrap();
        assert_eq!(
            format!("{key:?}"),
            format!("DpopKey {{ jkt: {:?}, .. }}", key.thumbprint())
        );
    }

    #[test]
    fn key_can_be_shared_between_requests() {
        fn shared<T: Send + Sync>() {}
        shared::<DpopKey>();
    }
}
