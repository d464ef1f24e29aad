//! Where in a JSON document a decode failed, found from the position
//! serde_json reports, so that each type's decoding is compiled for one
//! deserializer only (the byte slice's) instead of once more for a
//! path-tracking one.
//!
//! serde_json's error position is the byte it had reached when the error
//! came back to it: just after a value it read whole (a scalar of the wrong
//! type, an object missing a required property, an object its type
//! rejected once read), or the first byte of an object or array it did not
//! enter (a container where a scalar belongs). The path of the failure is
//! that of the value which ends, or starts, there; failing that, of the
//! innermost value around it.

use std::fmt;

use serde::de::DeserializeOwned;

/// One step of a [`Path`]: a property name, or an index in an array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A property of an object.
    Key(String),
    /// An item of an array.
    Index(usize),
}

/// A JSON path as decode errors show it: `users[0].profile.email`, or `.`
/// for the whole document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(Vec<Segment>);

impl Path {
    /// The steps from the document to the value.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(".");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A decode failure: the path of the value that failed, and serde's
/// message without the line and column it appends.
#[derive(Debug)]
pub struct Located {
    path: Path,
    message: String,
}

impl Located {
    pub(crate) fn new(path: Path, message: String) -> Self {
        Located { path, message }
    }

    /// Where the failure is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What is wrong there.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn into_message(self) -> String {
        self.message
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for Located {}

/// `serde_json::from_slice`, with a failure located in `bytes`.
pub(crate) fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Located> {
    serde_json::from_slice(bytes).map_err(|e| located(bytes, &e))
}

/// `error`, which decoding `bytes` gave, with the path it happened at.
pub(crate) fn located(bytes: &[u8], error: &serde_json::Error) -> Located {
    let path = offset(bytes, error.line(), error.column())
        .map(|at| path_at(bytes, at))
        .unwrap_or_default();
    Located::new(path, message(error))
}

/// serde_json's message without the ` at line L column C` it appends, so
/// that an error passed up through another decode gets the position there.
pub(crate) fn message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&position) {
        Some(message) if error.line() > 0 => message.to_string(),
        _ => text,
    }
}

/// The byte offset of serde_json's line (from 1) and column (bytes since
/// the line's start); `None` for an error without a position.
fn offset(bytes: &[u8], line: usize, column: usize) -> Option<usize> {
    let start = match line {
        0 => return None,
        1 => 0,
        _ => {
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth(line - 2)?
                .0
                + 1
        }
    };
    let at = start.checked_add(column)?;
    (at <= bytes.len()).then_some(at)
}

/// Deeper than serde_json reads (128), so never the limit for a document it
/// decoded; a bound on the recursion for any other.
const MAX_DEPTH: usize = 256;

/// The path of the value that starts (an object or array) or ends at byte
/// `at` of the JSON document `bytes`; else of the innermost value around
/// `at`; else the whole document.
pub(crate) fn path_at(bytes: &[u8], at: usize) -> Path {
    let mut scan = Scan {
        bytes,
        at,
        pos: 0,
        path: Vec::new(),
    };
    match scan.value(0) {
        Err(Some(path)) => path,
        // The document ends before `at`, or is not JSON from here on.
        Ok(()) | Err(None) => Path::default(),
    }
}

/// The scan stops with `Err(Some(path))` once it reaches `at`, and with
/// `Err(None)` at a byte JSON does not allow there.
type Scanned = Result<(), Option<Path>>;

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    pos: usize,
    path: Vec<Segment>,
}

impl Scan<'_> {
    fn here(&self) -> Option<Path> {
        Some(Path(self.path.clone()))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Scanned {
        self.whitespace();
        if self.pos > self.at {
            // `at` lies between values: it belongs to their container.
            self.path.pop();
            return Err(self.here());
        }
        match self.peek() {
            Some(b'{' | b'[') if self.pos == self.at => return Err(self.here()),
            _ if depth >= MAX_DEPTH => return Err(None),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => self.string()?,
            Some(_) => self.scalar()?,
            None => return Err(None),
        }
        match self.pos >= self.at {
            true => Err(self.here()),
            false => Ok(()),
        }
    }

    fn object(&mut self, depth: usize) -> Scanned {
        self.pos += 1;
        self.whitespace();
        if self.eat(b'}') {
            return Ok(());
        }
        loop {
            self.whitespace();
            let start = self.pos;
            self.string()?;
            if self.pos >= self.at {
                // In or just after a name (a repeated one, say): the object.
                return Err(self.here());
            }
            let key = self.key(start)?;
            self.whitespace();
            if !self.eat(b':') {
                return Err(None);
            }
            self.path.push(Segment::Key(key));
            self.value(depth + 1)?;
            self.path.pop();
            self.whitespace();
            if self.eat(b'}') {
                return Ok(());
            }
            if !self.eat(b',') {
                return Err(None);
            }
        }
    }

    fn array(&mut self, depth: usize) -> Scanned {
        self.pos += 1;
        self.whitespace();
        if self.eat(b']') {
            return Ok(());
        }
        for index in 0.. {
            self.path.push(Segment::Index(index));
            self.value(depth + 1)?;
            self.path.pop();
            self.whitespace();
            if self.eat(b']') {
                return Ok(());
            }
            if !self.eat(b',') {
                return Err(None);
            }
        }
        Ok(())
    }

    /// Steps over a string, escapes included.
    fn string(&mut self) -> Scanned {
        if !self.eat(b'"') {
            return Err(None);
        }
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => self.pos += 2,
                Some(_) => self.pos += 1,
                None => return Err(None),
            }
        }
    }

    /// The name in the string at `start..pos`, unescaped by serde_json.
    fn key(&self, start: usize) -> Result<String, Option<Path>> {
        let quoted = self.bytes.get(start..self.pos).ok_or(None)?;
        serde_json::from_slice(quoted).map_err(|_| None)
    }

    /// Steps over a number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Scanned {
        let start = self.pos;
        while !matches!(
            self.peek(),
            None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
        ) {
            self.pos += 1;
        }
        match self.pos > start {
            true => Ok(()),
            false => Err(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde_json::{json, Value};

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Link {
        href: String,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Thing {
        id: Option<String>,
        count: Option<u8>,
        tags: Option<Vec<String>>,
        link: Option<Link>,
        links: Option<Vec<Link>>,
    }

    /// The path and message of decoding `text` as a list of things.
    fn failure(text: &str) -> (String, String) {
        let e = from_slice::<Vec<Thing>>(text.as_bytes()).unwrap_err();
        (e.path().to_string(), e.message().to_string())
    }

    #[test]
    fn each_kind_of_failure_is_located_at_its_value() {
        let cases = [
            // A scalar of the wrong type, first, last and alone.
            (r#"[{"id":1,"count":2}]"#, "[0].id", "invalid type: integer `1`"),
            (r#"[{"count":2,"id":true}]"#, "[0].id", "invalid type: boolean"),
            (
                r#"[{}, {"count":300}]"#,
                "[1].count",
                "invalid value: integer `300`",
            ),
            // A container where a scalar belongs, and the reverse.
            (r#"[{"id":{"a":[1]},"count":2}]"#, "[0].id", "invalid type: map"),
            (
                r#"[{"tags":["a",["b"]]}]"#,
                "[0].tags[1]",
                "invalid type: sequence",
            ),
            (r#"[{"link":"/x"}]"#, "[0].link", "invalid type: string"),
            // A required property missing: the object that lacks it, even
            // where it is the last value of its parent.
            (r#"[{"link":{"rel":"self"}}]"#, "[0].link", "missing field `href`"),
            (
                r#"[{"links":[{"href":"/a"},{}]}]"#,
                "[0].links[1]",
                "missing field `href`",
            ),
            // A repeated name: the object that repeats it.
            (r#"[{"id":"a","id":"b"}]"#, "[0]", "duplicate field `id`"),
            // The whole document of another shape.
            (r#"{"id":"a"}"#, ".", "invalid type: map"),
        ];
        for (text, path, message) in cases {
            let (at, said) = failure(text);
            assert_eq!(at, path, "{text}: {said}");
            assert!(said.starts_with(message), "{text}: {said}");
            assert!(!said.contains(" at line "), "no position in the message: {said}");
        }
    }

    #[test]
    fn whitespace_newlines_and_escaped_names_do_not_move_the_location() {
        let text = "[\r\n  {\n    \"co\\u0075nt\" :\t2 ,\n    \"tags\" : [ \"a\" , 7 ]\n  }\n]\n";
        assert_eq!(failure(text).0, "[0].tags[1]");
        let named = json!([{"a,b": 1, "\u{0}x": 2, "id": 3}]);
        let e = from_slice::<Vec<Thing>>(named.to_string().as_bytes()).unwrap_err();
        assert_eq!(e.path().segments()[1], Segment::Key("id".into()));
        let odd = json!({"a.b": {"[0]": [null, {"\"": 5}]}});
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Odd(std::collections::BTreeMap<String, std::collections::BTreeMap<String, Vec<Option<Link>>>>);
        let e = from_slice::<Odd>(odd.to_string().as_bytes()).unwrap_err();
        assert_eq!(
            e.path().segments(),
            [
                Segment::Key("a.b".into()),
                Segment::Key("[0]".into()),
                Segment::Index(1)
            ]
        );
    }

    #[test]
    fn positions_outside_the_document_or_in_bad_json_give_the_whole_document() {
        assert_eq!(offset(b"[1]", 0, 0), None, "no position");
        assert_eq!(offset(b"[1]", 1, 4), None, "past the end");
        assert_eq!(offset(b"[1]", 2, 0), None, "no such line");
        assert_eq!(offset(b"[1]", usize::MAX, usize::MAX), None);
        assert_eq!(offset(b"[\n1]", 2, 1), Some(3));
        for (bytes, at) in [
            (&b""[..], 0),
            (b"   ", 2),
            (b"[1]   ", 5),
            (b"{\"a\" 1}", 6),
            (b"{1:2}", 3),
            (b"[1 2]", 4),
            (b"\"abc", 3),
            (b"\"a\\", 3),
            (b"[,]", 2),
        ] {
            assert_eq!(
                path_at(bytes, at),
                Path::default(),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        for at in [99_999, 150_000] {
            assert_eq!(
                path_at(deep.as_bytes(), at),
                Path::default(),
                "bounded, no overflow"
            );
        }
    }

    #[test]
    fn messages_lose_only_their_position() {
        let e = serde_json::from_str::<u8>("\n\n  300").unwrap_err();
        assert_eq!(message(&e), "invalid value: integer `300`, expected u8");
        let e = serde_json::from_value::<u8>(json!("x")).unwrap_err();
        assert_eq!(message(&e), e.to_string(), "no position to strip");
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z\"\\\\,:{}\\[\\] \u{0}é]{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(5, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
                prop::collection::btree_map("[a-z\"\\\\.,\\[ ]{0,4}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Every value in `value` with its path and the byte range it takes up
    /// in `value`'s compact form.
    fn spans(
        value: &Value,
        path: &mut Vec<Segment>,
        start: usize,
        out: &mut Vec<(Vec<Segment>, usize, usize)>,
    ) {
        let text = value.to_string();
        out.push((path.clone(), start, start + text.len()));
        let mut pos = start + 1;
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Segment::Index(i));
                    spans(item, path, pos, out);
                    path.pop();
                    pos += item.to_string().len() + 1;
                }
            }
            Value::Object(object) => {
                for (key, item) in object {
                    let name = serde_json::to_string(key).unwrap().len() + 1;
                    path.push(Segment::Key(key.clone()));
                    spans(item, path, pos + name, out);
                    path.pop();
                    pos += name + item.to_string().len() + 1;
                }
            }
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// At the end of any value, or the start of any container, the path
        /// is that value's.
        #[test]
        fn every_value_is_found_by_where_it_ends_or_starts(value in json_value()) {
            let text = value.to_string();
            let mut all = Vec::new();
            spans(&value, &mut Vec::new(), 0, &mut all);
            for (path, start, end) in all {
                prop_assert_eq!(&path_at(text.as_bytes(), end).0, &path, "end of {}", &text[start..end]);
                if matches!(text.as_bytes()[start], b'{' | b'[') {
                    prop_assert_eq!(&path_at(text.as_bytes(), start).0, &path, "start of {}", &text[start..end]);
                }
            }
        }

        /// Any bytes and any position: a path, never a panic or a hang.
        #[test]
        fn any_bytes_any_position(bytes in prop::collection::vec(any::<u8>(), 0..64), at in 0usize..80, line in 0usize..4, column in 0usize..80) {
            let _ = path_at(&bytes, at);
            let _ = offset(&bytes, line, column);
        }
    }
}
