//! A service app's private key, in every form Okta hands out or openssl
//! writes: PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`), a JWK as
//! the Admin Console downloads it, or a JWK Set of that one key.
//!
//! Each becomes a ring key pair that has signed a probe message, so a broken
//! key fails at configuration time. ring is already in the tree (rustls, the
//! DPoP proofs), so signing a JWS needs no JWT crate. Errors say what the input was
//! taken for and what is wrong with it; they never quote key material.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, EcdsaSigningAlgorithm, RsaKeyPair};
use serde::Serialize;
use serde_json::{Map, Value};

/// A private key ready to sign client assertions.
pub(crate) struct SigningKey {
    key: KeyPair,
    pub(crate) algorithm: Algorithm,
    /// The key id named in the JWK, if the key came as one.
    pub(crate) kid: Option<String>,
    rng: SystemRandom,
}

enum KeyPair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// The JWS algorithms Okta accepts for client assertions; `Debug` is the
/// JWS name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Algorithm {
    RS256,
    ES256,
    ES384,
}

#[derive(Serialize)]
struct Header<'a> {
    alg: Algorithm,
    typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

impl Serialize for Algorithm {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{self:?}"))
    }
}

impl SigningKey {
    /// A compact JWS of `claims`, its header naming the algorithm and the `kid`.
    pub(crate) fn jwt(&self, claims: &impl Serialize) -> Result<String, String> {
        let header = Header {
            alg: self.algorithm,
            typ: "JWT",
            kid: self.kid.as_deref(),
        };
        let input = format!(
            "{}.{}",
            crate::dpop::encode_json(&header)?,
            crate::dpop::encode_json(claims)?
        );
        let signature = self.sign(input.as_bytes())?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let failed = |_| "ring could not sign it".to_string();
        match &self.key {
            KeyPair::Rsa(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&signature::RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
                    .map_err(failed)?;
                Ok(signature)
            }
            // The fixed-size form is the `r || s` a JWS carries.
            KeyPair::Ec(pair) => Ok(pair.sign(&self.rng, message).map_err(failed)?.as_ref().to_vec()),
        }
    }
}

const NOT_A_KEY: &str =
    "not a private key: expected PEM (PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY) or a JWK";
const PUBLIC_JWK: &str = "the JWK is a public key; the private key (with \"d\") is needed";
const OKTA_KEYS: &str = "Okta needs an RSA or an EC (P-256, P-384) key";
const ONE_KEY: &str = "exactly one private key is needed";

/// Reads a private key from PEM or JWK text (surrounding whitespace is
/// ignored) and checks that it can sign.
pub(crate) fn parse_private_key(text: &str) -> Result<SigningKey, String> {
    let text = text.trim();
    let ((what, key, algorithm), kid) = if text.is_empty() {
        return Err("no private key: the text is empty".into());
    } else if text.starts_with('{') {
        from_jwk(text)?
    } else if text.contains("-----BEGIN ") {
        (from_pem(text)?, None)
    } else {
        return Err(NOT_A_KEY.into());
    };
    let key = SigningKey {
        key,
        algorithm,
        kid,
        rng: SystemRandom::new(),
    };
    key.sign(b"probe")
        .map_err(|e| format!("{what} that cannot sign a test message ({e})"))?;
    Ok(key)
}

/// A key before its probe signature: what the input was recognised as, the
/// key, and the algorithm it signs with.
type Parsed = (&'static str, KeyPair, Algorithm);

/// A PKCS#1 `RSAPrivateKey`; ring says why it rejects one (too small, not DER, ...).
fn rsa(what: &'static str, pkcs1: &[u8]) -> Result<Parsed, String> {
    let pair = RsaKeyPair::from_der(pkcs1).map_err(|e| format!("{what} that cannot sign ({e})"))?;
    Ok((what, KeyPair::Rsa(pair), Algorithm::RS256))
}

/// A curve Okta accepts for client assertions.
struct Curve {
    name: &'static str,
    oid: &'static [u8],
    algorithm: Algorithm,
    /// Bytes in a scalar or a coordinate.
    size: usize,
    signing: &'static EcdsaSigningAlgorithm,
}

static CURVES: [Curve; 2] = [
    Curve {
        name: "P-256",
        oid: OID_P256,
        algorithm: Algorithm::ES256,
        size: 32,
        signing: &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
    },
    Curve {
        name: "P-384",
        oid: OID_P384,
        algorithm: Algorithm::ES384,
        size: 48,
        signing: &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
    },
];

/// The accepted curve that `is` picks; else an error on `what`, naming its curve when known.
fn curve(what: &str, name: Option<&str>, is: impl Fn(&Curve) -> bool) -> Result<&'static Curve, String> {
    let name = name.map(|n| format!(" ({n})")).unwrap_or_default();
    let error = || format!("{what} on a curve Okta does not accept{name}: P-256 or P-384 is needed");
    CURVES.iter().find(|c| is(c)).ok_or_else(error)
}

/// An EC key as ring takes it: the SEC1 `ECPrivateKey` in a PKCS#8 v1
/// `PrivateKeyInfo`.
fn ec_key(what: &'static str, curve: &Curve, sec1: &[u8]) -> Result<Parsed, String> {
    let algorithm = der::sequence(&[OID_EC_PUBLIC_KEY, curve.oid].map(|id| der::tlv(der::OID, id)));
    let pkcs8 = der::sequence(&[der::unsigned(&[0]), algorithm, der::tlv(der::OCTET_STRING, sec1)]);
    // ring says why it rejects a key, which the probe signature would not.
    let checked = EcdsaKeyPair::from_pkcs8(curve.signing, &pkcs8, &SystemRandom::new());
    let pair = checked.map_err(|e| match e.to_string().as_str() {
        "InconsistentComponents" => format!("{what} whose public key does not belong to its private key"),
        other => format!("{what} that cannot be used ({other})"),
    })?;
    Ok((what, KeyPair::Ec(pair), curve.algorithm))
}

fn from_pem(text: &str) -> Result<Parsed, String> {
    const MALFORMED: &str = "a PEM whose BEGIN and END lines are malformed";
    const ENCRYPTED: &str =
        "an `ENCRYPTED PRIVATE KEY` PEM: decrypt it first (`openssl pkcs8 -in key.pem -out plain.pem`)";
    const OTHER_PEM: &str =
        "a PEM that is not a private key: expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY";
    let blocks = pem::parse_many(text).map_err(|e| match e {
        pem::PemError::InvalidData(_) => "a PEM whose base64 body is damaged",
        pem::PemError::MismatchedTags(..) => "a PEM whose BEGIN and END labels differ",
        _ => MALFORMED,
    })?;
    // `openssl ecparam -genkey` writes the curve's parameters before the key.
    let keys: Vec<&pem::Pem> = blocks.iter().filter(|b| b.tag() != "EC PARAMETERS").collect();
    let [block] = keys.as_slice() else {
        return Err(match keys.len() {
            0 if blocks.is_empty() => MALFORMED.into(),
            n => format!("a PEM with {n} keys; {ONE_KEY}"),
        });
    };
    let contents = block.contents();
    match block.tag() {
        "PRIVATE KEY" => from_pkcs8(contents),
        "RSA PRIVATE KEY" => rsa("an `RSA PRIVATE KEY` PEM (PKCS#1)", contents),
        "EC PRIVATE KEY" => from_sec1("an `EC PRIVATE KEY` PEM (SEC1)", None, contents),
        "ENCRYPTED PRIVATE KEY" => Err(ENCRYPTED.into()),
        tag if tag.ends_with("PUBLIC KEY") || tag == "CERTIFICATE" => {
            Err(format!("a `{tag}` PEM, a public key; the private key is needed"))
        }
        _ => Err(OTHER_PEM.into()),
    }
}

/// A PKCS#8 `PrivateKeyInfo`: its algorithm says how to read the key inside.
fn from_pkcs8(der: &[u8]) -> Result<Parsed, String> {
    let mut info = der::Reader::single(der, der::SEQUENCE, "a `PRIVATE KEY` PEM (PKCS#8)")?;
    info.element(der::INTEGER)?;
    let mut algorithm = info.nested(der::SEQUENCE)?;
    let key_type = algorithm.element(der::OID)?;
    let private_key = info.element(der::OCTET_STRING)?;
    match key_type {
        OID_RSA => rsa("an RSA `PRIVATE KEY` PEM (PKCS#8)", private_key),
        OID_EC_PUBLIC_KEY => {
            let curve = algorithm.element(der::OID)?;
            from_sec1("an EC `PRIVATE KEY` PEM (PKCS#8)", Some(curve), private_key)
        }
        _ => Err(format!("a `PRIVATE KEY` PEM of another key type: {OKTA_KEYS}")),
    }
}

/// A SEC1 `ECPrivateKey`; `outer_curve` is the curve a PKCS#8 wrapper names.
fn from_sec1(what: &'static str, outer_curve: Option<&[u8]>, sec1: &[u8]) -> Result<Parsed, String> {
    let mut key = der::Reader::single(sec1, der::SEQUENCE, what)?;
    key.element(der::INTEGER)?;
    key.element(der::OCTET_STRING)?;
    let parameters = key.optional(der::CONTEXT_0)?;
    let inner_curve = parameters.map(|mut p| p.element(der::OID)).transpose()?;
    let has_public_key = key.optional(der::CONTEXT_1)?.is_some();
    // ring rejects a key whose own `parameters` disagree with the PKCS#8 wrapper.
    let oid = outer_curve
        .or(inner_curve)
        .ok_or_else(|| format!("{what} that does not name its curve"))?;
    let curve = curve(what, (oid == OID_P521).then_some("P-521"), |c| c.oid == oid)?;
    if !has_public_key {
        return Err(format!(
            "{what} without its public key, which is needed (`openssl ec` adds it back)"
        ));
    }
    ec_key(what, curve, sec1)
}

/// A JWK, or a JWK Set holding exactly one key; returns the key and its `kid`.
fn from_jwk(text: &str) -> Result<(Parsed, Option<String>), String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("text that looks like a JWK but is not JSON ({e})"))?;
    let jwk = match value.get("keys") {
        None => &value,
        Some(Value::Array(keys)) => match keys.as_slice() {
            [one] => one,
            _ => return Err(format!("a JWK Set with {} keys; {ONE_KEY}", keys.len())),
        },
        Some(_) => return Err("a JWK Set whose \"keys\" is not an array".into()),
    };
    let jwk = jwk.as_object().ok_or("a JWK Set whose key is not an object")?;
    let text = |name: &str| match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(format!("a JWK whose \"{name}\" is not a string")),
    };
    let kty = text("kty")?.ok_or("a JSON object that is not a JWK (no \"kty\")")?;
    let kid = text("kid")?.map(str::to_owned);
    let parsed = match kty {
        "RSA" | "EC" if !jwk.contains_key("d") => return Err(PUBLIC_JWK.into()),
        "RSA" => rsa_jwk(jwk)?,
        "EC" => ec_jwk(jwk, text("crv")?.ok_or("an EC JWK with no \"crv\"")?)?,
        _ => return Err(format!("a JWK of type {kty:?}: {OKTA_KEYS}")),
    };
    let expected = format!("{:?}", parsed.2);
    match text("alg")? {
        Some(alg) if alg != expected => Err(format!("{} whose \"alg\" is {alg:?}, not {expected}", parsed.0)),
        _ => Ok((parsed, kid)),
    }
}

/// A base64url member of a JWK, decoded (with or without padding).
fn member(jwk: &Map<String, Value>, what: &str, name: &str) -> Result<Vec<u8>, String> {
    let text = match jwk.get(name) {
        Some(Value::String(text)) => text,
        Some(_) => return Err(format!("{what} whose \"{name}\" is not a string")),
        None => return Err(format!("{what} with no \"{name}\"")),
    };
    let invalid = |_| format!("{what} whose \"{name}\" is not valid base64url");
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(invalid)
}

/// An RSA JWK as a PKCS#1 `RSAPrivateKey` (version 0, two primes).
fn rsa_jwk(jwk: &Map<String, Value>) -> Result<Parsed, String> {
    const WHAT: &str = "an RSA JWK";
    const CRT: [&str; 5] = ["p", "q", "dp", "dq", "qi"];
    if !CRT.iter().all(|name| jwk.contains_key(*name)) {
        return Err(format!("{WHAT} without its CRT parameters (p, q, dp, dq, qi)"));
    }
    let mut fields = vec![der::unsigned(&[0])];
    for name in ["n", "e", "d"].iter().chain(&CRT) {
        fields.push(der::unsigned(&member(jwk, WHAT, name)?));
    }
    rsa(WHAT, &der::sequence(&fields))
}

/// An EC JWK as a SEC1 `ECPrivateKey` with its curve and public key.
fn ec_jwk(jwk: &Map<String, Value>, crv: &str) -> Result<Parsed, String> {
    const WHAT: &str = "an EC JWK";
    let curve = curve(WHAT, Some(crv), |c| c.name == crv)?;
    // Full length, as RFC 7518 says: leading zeros that an encoder dropped are put back.
    let fixed = |name: &str| {
        let bytes = member(jwk, WHAT, name)?;
        let digits = der::significant(&bytes);
        let zeros = curve.size.checked_sub(digits.len());
        let zeros = zeros.ok_or_else(|| format!("{WHAT} whose \"{name}\" is too long for {crv}"))?;
        Ok::<_, String>([&vec![0; zeros], digits].concat())
    };
    let point = [&[0x00, 0x04][..], &fixed("x")?, &fixed("y")?].concat();
    let sec1 = der::sequence(&[
        der::unsigned(&[1]),
        der::tlv(der::OCTET_STRING, &fixed("d")?),
        der::tlv(der::CONTEXT_0, &der::tlv(der::OID, curve.oid)),
        der::tlv(der::CONTEXT_1, &der::tlv(der::BIT_STRING, &point)),
    ]);
    ec_key(WHAT, curve, &sec1)
}

// The DER contents (no tag, no length) of the object identifiers used here.
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]; // 1.2.840.113549.1.1.1
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]; // 1.2.840.10045.2.1
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]; // 1.2.840.10045.3.1.7, prime256v1
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22]; // 1.3.132.0.34, secp384r1
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23]; // 1.3.132.0.35, secp521r1: only named in errors

/// Just enough DER for private keys: one-byte tags, definite lengths of up
/// to four bytes. Reads are bounds-checked: hostile input gives an error.
mod der {
    use std::borrow::Borrow;

    pub(super) const INTEGER: u8 = 0x02;
    pub(super) const BIT_STRING: u8 = 0x03;
    pub(super) const OCTET_STRING: u8 = 0x04;
    pub(super) const OID: u8 = 0x06;
    pub(super) const SEQUENCE: u8 = 0x30;
    /// `[0]` and `[1]`, constructed.
    pub(super) const CONTEXT_0: u8 = 0xa0;
    pub(super) const CONTEXT_1: u8 = 0xa1;

    /// Reads elements one after the other; `what` names the input in errors.
    pub(super) struct Reader<'a> {
        rest: &'a [u8],
        what: &'static str,
    }

    impl<'a> Reader<'a> {
        /// A reader over the contents of `input`, which must be exactly one element with tag `tag`.
        pub(super) fn single(input: &'a [u8], tag: u8, what: &'static str) -> Result<Self, String> {
            let mut outer = Reader { rest: input, what };
            let contents = outer.element(tag)?;
            if !outer.rest.is_empty() {
                return Err(outer.error("data follows the key"));
            }
            Ok(Reader { rest: contents, what })
        }

        /// The contents of the next element, which must have tag `tag`.
        pub(super) fn element(&mut self, tag: u8) -> Result<&'a [u8], String> {
            self.read(tag).map_err(|problem| self.error(problem))
        }

        /// A reader over the next element, which must have tag `tag`.
        pub(super) fn nested(&mut self, tag: u8) -> Result<Reader<'a>, String> {
            Ok(Reader {
                rest: self.element(tag)?,
                what: self.what,
            })
        }

        /// A reader over the next element if it has tag `tag`.
        pub(super) fn optional(&mut self, tag: u8) -> Result<Option<Reader<'a>>, String> {
            match self.rest.first() {
                Some(&next) if next == tag => self.nested(tag).map(Some),
                _ => Ok(None),
            }
        }

        fn error(&self, problem: &str) -> String {
            format!("{} whose contents are not valid DER ({problem})", self.what)
        }

        fn read(&mut self, tag: u8) -> Result<&'a [u8], &'static str> {
            let [actual, first, rest @ ..] = self.rest else {
                return Err("an element is truncated");
            };
            if *actual != tag {
                return Err("an element is not of the expected type");
            }
            let (len, rest) = match *first {
                short @ 0..=0x7f => (usize::from(short), rest),
                0x81..=0x84 => {
                    let count = usize::from(first & 0x7f);
                    let (bytes, rest) = rest.split_at_checked(count).ok_or("a length is truncated")?;
                    (bytes.iter().fold(0, |len, &b| (len << 8) | usize::from(b)), rest)
                }
                _ => return Err("a length is indefinite or too large"),
            };
            let (contents, rest) = rest.split_at_checked(len).ok_or("a length runs past the end")?;
            self.rest = rest;
            Ok(contents)
        }
    }

    /// `bytes` without its leading zeros.
    pub(super) fn significant(mut bytes: &[u8]) -> &[u8] {
        while let [0, rest @ ..] = bytes {
            bytes = rest;
        }
        bytes
    }

    /// One element: tag, length, contents.
    pub(super) fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
        let len = contents.len().to_be_bytes();
        let mut out = vec![tag];
        match significant(&len) {
            [] => out.push(0),
            [short] if *short < 0x80 => out.push(*short),
            long => {
                out.push(0x80 | long.len() as u8);
                out.extend_from_slice(long);
            }
        }
        out.extend_from_slice(contents);
        out
    }

    pub(super) fn sequence<E: Borrow<[u8]>>(elements: &[E]) -> Vec<u8> {
        tlv(SEQUENCE, &elements.concat())
    }

    /// A non-negative INTEGER from big-endian bytes: no superfluous leading
    /// zeros, and a zero byte first when the high bit is set.
    pub(super) fn unsigned(big_endian: &[u8]) -> Vec<u8> {
        match significant(big_endian) {
            [] => tlv(INTEGER, &[0]),
            digits @ [0x80..=0xff, ..] => tlv(INTEGER, &[&[0], digits].concat()),
            digits => tlv(INTEGER, digits),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};
    use proptest::collection::vec;
    use proptest::prelude::{any, prop_assert, ProptestConfig};
    use proptest::sample::select;
    use ring::signature::KeyPair;

    fn fixture(name: &str) -> String {
        let path = format!("{}/../okta-api/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn jwk_fixture(name: &str) -> Map<String, Value> {
        match serde_json::from_str(&fixture(name)).unwrap() {
            Value::Object(map) => map,
            other => panic!("{name} is not an object: {other}"),
        }
    }

    fn parse(text: &str) -> SigningKey {
        parse_private_key(text).unwrap_or_else(|e| panic!("rejected: {e}"))
    }

    fn reject(text: &str) -> String {
        match parse_private_key(text) {
            Ok(key) => panic!("accepted as a key for {:?}", key.algorithm),
            Err(e) => e,
        }
    }

    /// A token signed by `key`, with its header's algorithm checked.
    fn sign(key: &SigningKey) -> String {
        let claims = serde_json::json!({ "iss": "0oa1test", "sub": "0oa1test" });
        let token = key.jwt(&claims).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(format!("{:?}", header.alg), format!("{:?}", key.algorithm));
        assert_eq!(
            (header.typ.as_deref(), header.kid),
            (Some("JWT"), key.kid.clone())
        );
        token
    }

    /// Checks the signature with jsonwebtoken, a JWS implementation of its own.
    fn verify(token: &str, public: &DecodingKey, algorithm: Algorithm) {
        let algorithm = format!("{algorithm:?}").parse().unwrap();
        let mut validation = Validation::new(algorithm);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Value>(token, public, &validation)
            .unwrap_or_else(|e| panic!("signature not verified: {e}"));
        assert_eq!(data.claims["sub"], "0oa1test");
    }

    fn rsa_public() -> DecodingKey {
        DecodingKey::from_rsa_pem(fixture("rsa-public.pem").as_bytes()).unwrap()
    }

    fn ec_public() -> DecodingKey {
        DecodingKey::from_ec_pem(fixture("ec-public.pem").as_bytes()).unwrap()
    }

    /// The public half of a private JWK, read by jsonwebtoken.
    fn public_jwk(private: &Map<String, Value>) -> DecodingKey {
        let mut public = private.clone();
        for name in ["d", "p", "q", "dp", "dq", "qi"] {
            public.remove(name);
        }
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(Value::Object(public)).unwrap();
        DecodingKey::from_jwk(&jwk).unwrap()
    }

    fn to_pem(tag: &str, der: &[u8]) -> String {
        pem::encode(&pem::Pem::new(tag, der.to_vec()))
    }

    fn named_curve(name: &str) -> &'static Curve {
        CURVES.iter().find(|c| c.name == name).unwrap()
    }

    fn generated_ec(curve: &Curve) -> (Vec<u8>, EcdsaKeyPair) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(curve.signing, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(curve.signing, pkcs8.as_ref(), &rng).unwrap();
        (pkcs8.as_ref().to_vec(), pair)
    }

    fn ec_components(pair: &EcdsaKeyPair) -> DecodingKey {
        let point = pair.public_key().as_ref();
        let size = (point.len() - 1) / 2;
        let x = URL_SAFE_NO_PAD.encode(&point[1..1 + size]);
        let y = URL_SAFE_NO_PAD.encode(&point[1 + size..]);
        DecodingKey::from_ec_components(&x, &y).unwrap()
    }

    #[test]
    fn pkcs8_rsa_pem_signs_rs256() {
        let key = parse(&fixture("rsa-private.pem"));
        assert_eq!(key.algorithm, Algorithm::RS256);
        assert_eq!(key.kid, None);
        verify(&sign(&key), &rsa_public(), Algorithm::RS256);
    }

    #[test]
    fn pkcs1_rsa_pem_signs_rs256() {
        let key = parse(&fixture("rsa-private-pkcs1.pem"));
        assert_eq!(key.algorithm, Algorithm::RS256);
        verify(&sign(&key), &rsa_public(), Algorithm::RS256);
    }

    #[test]
    fn pkcs8_ec_pem_signs_es256() {
        let key = parse(&fixture("ec-private.pem"));
        assert_eq!(key.algorithm, Algorithm::ES256);
        verify(&sign(&key), &ec_public(), Algorithm::ES256);
    }

    #[test]
    fn generated_pkcs8_p256_and_p384_sign_with_their_curve() {
        for (curve_name, algorithm) in [("P-256", Algorithm::ES256), ("P-384", Algorithm::ES384)] {
            let (pkcs8, pair) = generated_ec(named_curve(curve_name));
            let key = parse(&to_pem("PRIVATE KEY", &pkcs8));
            assert_eq!(key.algorithm, algorithm);
            verify(&sign(&key), &ec_components(&pair), algorithm);
        }
    }

    #[test]
    fn sec1_p256_pem_is_the_same_key_as_its_pkcs8() {
        let key = parse(&fixture("ec-private-sec1.pem"));
        assert_eq!(key.algorithm, Algorithm::ES256);
        verify(&sign(&key), &ec_public(), Algorithm::ES256);
    }

    #[test]
    fn sec1_p384_pem_signs_es384() {
        let key = parse(&fixture("ec384-private-sec1.pem"));
        assert_eq!(key.algorithm, Algorithm::ES384);
        let public = DecodingKey::from_ec_pem(fixture("ec384-public.pem").as_bytes()).unwrap();
        verify(&sign(&key), &public, Algorithm::ES384);
    }

    #[test]
    fn sec1_after_ec_parameters_block() {
        // What `openssl ecparam -genkey` writes without `-noout`.
        let parameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        let key = parse(&format!("{parameters}{}", fixture("ec-private-sec1.pem")));
        verify(&sign(&key), &ec_public(), Algorithm::ES256);
    }

    #[test]
    fn ec_parameters_alone_are_a_pem_without_a_key() {
        let parameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        assert_eq!(
            reject(parameters),
            "a PEM with 0 keys; exactly one private key is needed"
        );
    }

    #[test]
    fn rsa_jwk_and_pem_are_verified_by_the_same_public_key() {
        let jwk = jwk_fixture("rsa-private.jwk.json");
        let from_jwk = parse(&fixture("rsa-private.jwk.json"));
        assert_eq!(from_jwk.algorithm, Algorithm::RS256);
        assert_eq!(from_jwk.kid.as_deref(), Some("test-rsa-key"));
        let from_pem = parse(&fixture("rsa-private.pem"));
        for public in [rsa_public(), public_jwk(&jwk)] {
            verify(&sign(&from_jwk), &public, Algorithm::RS256);
            verify(&sign(&from_pem), &public, Algorithm::RS256);
        }
    }

    #[test]
    fn ec_jwk_and_pem_are_verified_by_the_same_public_key() {
        let jwk = jwk_fixture("ec-private.jwk.json");
        let from_jwk = parse(&fixture("ec-private.jwk.json"));
        assert_eq!(from_jwk.algorithm, Algorithm::ES256);
        assert_eq!(from_jwk.kid.as_deref(), Some("test-ec-key"));
        for pem in ["ec-private.pem", "ec-private-sec1.pem"] {
            let from_pem = parse(&fixture(pem));
            for public in [ec_public(), public_jwk(&jwk)] {
                verify(&sign(&from_jwk), &public, Algorithm::ES256);
                verify(&sign(&from_pem), &public, Algorithm::ES256);
            }
        }
    }

    #[test]
    fn generated_p384_as_jwk_signs_es384() {
        let (pkcs8, pair) = generated_ec(named_curve("P-384"));
        // d is the OCTET STRING inside the PKCS#8's SEC1 key.
        let mut info = der::Reader::single(&pkcs8, der::SEQUENCE, "ring's PKCS#8").unwrap();
        info.element(der::INTEGER).unwrap();
        info.element(der::SEQUENCE).unwrap();
        let sec1 = info.element(der::OCTET_STRING).unwrap();
        let mut sec1 = der::Reader::single(sec1, der::SEQUENCE, "ring's SEC1").unwrap();
        sec1.element(der::INTEGER).unwrap();
        let d = sec1.element(der::OCTET_STRING).unwrap();
        let point = pair.public_key().as_ref();
        let jwk = serde_json::json!({
            "kty": "EC", "crv": "P-384", "alg": "ES384",
            "x": URL_SAFE_NO_PAD.encode(&point[1..49]),
            "y": URL_SAFE_NO_PAD.encode(&point[49..]),
            "d": URL_SAFE_NO_PAD.encode(d),
        });
        let key = parse(&jwk.to_string());
        assert_eq!((key.algorithm, key.kid.as_deref()), (Algorithm::ES384, None));
        verify(&sign(&key), &ec_components(&pair), Algorithm::ES384);
    }

    #[test]
    fn jwk_set_with_one_key() {
        let set = format!("{{\"keys\": [{}]}}", fixture("ec-private.jwk.json"));
        let key = parse(&set);
        assert_eq!(key.kid.as_deref(), Some("test-ec-key"));
        verify(&sign(&key), &ec_public(), Algorithm::ES256);
    }

    #[test]
    fn jwk_members_may_be_padded_or_have_leading_zeros_dropped() {
        let mut jwk = jwk_fixture("rsa-private.jwk.json");
        for name in ["d", "p", "q", "dp", "dq", "qi"] {
            let unpadded = jwk[name].as_str().unwrap().to_owned();
            let padding = "=".repeat((4 - unpadded.len() % 4) % 4);
            jwk.insert(name.into(), Value::String(unpadded + &padding));
        }
        // An n with a superfluous leading zero byte.
        let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
        jwk.insert(
            "n".into(),
            Value::String(URL_SAFE_NO_PAD.encode([&[0][..], &n].concat())),
        );
        verify(
            &sign(&parse(&Value::Object(jwk).to_string())),
            &rsa_public(),
            Algorithm::RS256,
        );
    }

    #[test]
    fn jwk_alg_must_match_the_key() {
        let mut jwk = jwk_fixture("ec-private.jwk.json");
        jwk.insert("alg".into(), "ES384".into());
        let e = reject(&Value::Object(jwk).to_string());
        assert!(e.contains("\"alg\" is \"ES384\"") && e.contains("ES256"), "{e}");
        let mut jwk = jwk_fixture("rsa-private.jwk.json");
        jwk.insert("alg".into(), "ES256".into());
        assert!(reject(&Value::Object(jwk).to_string()).contains("RS256"));
    }

    #[test]
    fn public_jwk_is_rejected() {
        let mut jwk = jwk_fixture("ec-private.jwk.json");
        jwk.remove("d");
        assert_eq!(reject(&Value::Object(jwk).to_string()), PUBLIC_JWK);
    }

    #[test]
    fn der_writer_integers_are_minimal_and_positive() {
        assert_eq!(der::unsigned(&[]), [0x02, 0x01, 0x00]);
        assert_eq!(der::unsigned(&[0, 0]), [0x02, 0x01, 0x00]);
        assert_eq!(der::unsigned(&[0, 0, 0x7f]), [0x02, 0x01, 0x7f]);
        assert_eq!(der::unsigned(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(der::unsigned(&[0, 0xff, 0x01]), [0x02, 0x03, 0x00, 0xff, 0x01]);
        assert_eq!(der::tlv(der::OCTET_STRING, &[7; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(
            der::tlv(der::OCTET_STRING, &[7; 0x1234])[..4],
            [0x04, 0x82, 0x12, 0x34]
        );
    }

    #[test]
    fn der_reader_is_bounds_checked() {
        let read = |input: &[u8]| der::Reader::single(input, der::SEQUENCE, "test").map(|_| ());
        assert!(read(&[0x30, 0x00]).is_ok());
        assert!(read(&[]).is_err());
        assert!(read(&[0x30]).is_err());
        assert!(read(&[0x30, 0x81]).is_err());
        assert!(read(&[0x30, 0x02, 0x05]).is_err());
        assert!(read(&[0x30, 0x80, 0x00, 0x00]).is_err(), "indefinite length");
        assert!(read(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00]).is_err());
        assert!(
            read(&[0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]).is_err(),
            "2^32 bytes"
        );
        assert!(read(&[0x30, 0x00, 0x00]).is_err(), "trailing data");
        assert!(read(&[0x31, 0x00]).is_err(), "wrong tag");
    }

    /// The fixture's SEC1 DER, for damaging.
    fn sec1_der() -> Vec<u8> {
        pem::parse(fixture("ec-private-sec1.pem"))
            .unwrap()
            .into_contents()
    }

    #[test]
    fn hostile_inputs_are_rejected_with_a_useful_message() {
        let ec = jwk_fixture("ec-private.jwk.json");
        let with = |name: &str, value: Value| {
            let mut jwk = ec.clone();
            jwk.insert(name.into(), value);
            Value::Object(jwk).to_string()
        };
        let d = ec["d"].as_str().unwrap();
        let mut rsa_without_p = jwk_fixture("rsa-private.jwk.json");
        rsa_without_p.remove("p");
        let sec1 = sec1_der();
        let huge_length = [&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff][..], &sec1[2..]].concat();
        let five_byte_length = [&[0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00][..], &sec1[2..]].concat();
        let ed25519 = ring::signature::Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "the text is empty"),
            (" \n\t\r\n ".into(), "the text is empty"),
            ("hello".into(), NOT_A_KEY),
            ("[1, 2]".into(), NOT_A_KEY),
            ("{}".into(), "not a JWK (no \"kty\")"),
            ("{\"kty\": 3}".into(), "\"kty\" is not a string"),
            ("{not json".into(), "not JSON"),
            (r#"{"kty":"RSA"}"#.into(), PUBLIC_JWK),
            (r#"{"kty":"oct","k":"c2VjcmV0"}"#.into(), "a JWK of type \"oct\""),
            (Value::Object(rsa_without_p).to_string(), "CRT parameters"),
            (
                with("d", d[..41].into()),
                "an EC JWK whose \"d\" is not valid base64url",
            ),
            (
                with("d", d[..40].into()),
                "an EC JWK whose public key does not belong",
            ),
            (
                with("d", "!!not*base64!!".into()),
                "an EC JWK whose \"d\" is not valid base64url",
            ),
            (with("d", 12.into()), "an EC JWK whose \"d\" is not a string"),
            (
                with("d", URL_SAFE_NO_PAD.encode([1; 33]).into()),
                "\"d\" is too long for P-256",
            ),
            (
                with("x", ec["y"].clone()),
                "an EC JWK whose public key does not belong to its private key",
            ),
            (
                with("crv", "P-521".into()),
                "on a curve Okta does not accept (P-521)",
            ),
            (with("kid", 7.into()), "\"kid\" is not a string"),
            (
                r#"{"keys": []}"#.into(),
                "a JWK Set with 0 keys; exactly one private key is needed",
            ),
            (
                format!("{{\"keys\": [{0}, {0}]}}", fixture("ec-private.jwk.json")),
                "a JWK Set with 2 keys; exactly one private key is needed",
            ),
            (r#"{"keys": {}}"#.into(), "\"keys\" is not an array"),
            (r#"{"keys": [1]}"#.into(), "a JWK Set whose key is not an object"),
            (
                to_pem("PRIVATE KEY", b"garbage"),
                "a `PRIVATE KEY` PEM (PKCS#8) whose contents are not valid DER",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\n@@@@ not base64 @@@@\n-----END PRIVATE KEY-----\n".into(),
                "base64 body is damaged",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n".into(),
                "labels differ",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\nMAA=\n".into(),
                "a PEM whose BEGIN and END lines are malformed",
            ),
            (
                to_pem("RSA PRIVATE KEY", b"garbage"),
                "an `RSA PRIVATE KEY` PEM (PKCS#1) that cannot sign",
            ),
            (
                to_pem("EC PRIVATE KEY", &sec1[..40]),
                "(SEC1) whose contents are not valid DER",
            ),
            (
                to_pem("EC PRIVATE KEY", &huge_length),
                "a length runs past the end",
            ),
            (
                to_pem("EC PRIVATE KEY", &five_byte_length),
                "a length is indefinite or too large",
            ),
            (
                to_pem("PRIVATE KEY", &five_byte_length),
                "(PKCS#8) whose contents are not valid DER",
            ),
            (
                fixture("ec-public.pem"),
                "a `PUBLIC KEY` PEM, a public key; the private key is needed",
            ),
            (
                fixture("ec-private-sec1-no-public.pem"),
                "(SEC1) without its public key",
            ),
            (
                fixture("ec521-private-sec1.pem"),
                "an `EC PRIVATE KEY` PEM (SEC1) on a curve Okta does not accept (P-521)",
            ),
            (
                to_pem("PRIVATE KEY", ed25519.as_ref()),
                "a `PRIVATE KEY` PEM of another key type: Okta needs",
            ),
            (to_pem("ENCRYPTED PRIVATE KEY", b"x"), "decrypt it first"),
            (
                to_pem("OPENSSH PRIVATE KEY", b"x"),
                "a PEM that is not a private key",
            ),
            (
                format!("{}{}", fixture("ec-private.pem"), fixture("rsa-private.pem")),
                "a PEM with 2 keys; exactly one private key is needed",
            ),
        ];
        let secrets = [d, &fixture("ec-private-sec1.pem")[31..71]];
        for (input, expected) in &cases {
            let message = reject(input);
            assert!(
                message.contains(expected),
                "for {input:?}: {message:?} lacks {expected:?}"
            );
            for secret in secrets {
                assert!(!message.contains(secret), "{message:?} quotes key material");
            }
        }
    }

    #[test]
    fn sec1_inside_pkcs8_must_agree_on_the_curve() {
        // A P-256 SEC1 key (naming P-256) in a PKCS#8 wrapper that says P-384.
        let algorithm = der::sequence(&[
            der::tlv(der::OID, OID_EC_PUBLIC_KEY),
            der::tlv(der::OID, OID_P384),
        ]);
        let pkcs8 = der::sequence(&[
            der::unsigned(&[0]),
            algorithm,
            der::tlv(der::OCTET_STRING, &sec1_der()),
        ]);
        assert!(reject(&to_pem("PRIVATE KEY", &pkcs8)).contains("that cannot be used (WrongAlgorithm)"));
    }

    proptest::proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_sec1_pem_never_panics(bytes in vec(any::<u8>(), 0..300)) {
            let _ = parse_private_key(&to_pem("EC PRIVATE KEY", &bytes));
        }

        #[test]
        fn damaged_sec1_pem_never_panics(at in 0usize..121, byte in any::<u8>()) {
            let mut der = sec1_der();
            if let Some(b) = der.get_mut(at) {
                *b = byte;
            }
            let _ = parse_private_key(&to_pem("EC PRIVATE KEY", &der));
            der.truncate(at);
            prop_assert!(parse_private_key(&to_pem("EC PRIVATE KEY", &der)).is_err());
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse_private_key(&text);
            let _ = parse_private_key(&format!("{{{text}"));
        }

        #[test]
        fn arbitrary_jwk_members_never_panic(
            kty in select(vec!["RSA", "EC", "oct", ""]),
            crv in select(vec!["P-256", "P-384", "P-521", ""]),
            members in vec("[A-Za-z0-9_=-]{0,70}", 10),
        ) {
            let mut jwk = serde_json::json!({ "kty": kty, "crv": crv });
            let names = ["n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y"];
            for (name, value) in names.iter().zip(members) {
                jwk[*name] = value.into();
            }
            let _ = parse_private_key(&jwk.to_string());
            let _ = parse_private_key(&serde_json::json!({ "keys": [jwk] }).to_string());
        }
    }
}
