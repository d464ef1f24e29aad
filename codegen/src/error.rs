//! What goes wrong in a generation. Spec errors name the file, the JSON
//! pointer and the problem.

/// One generator error. Spec errors name the file, the JSON pointer and the
/// problem.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{file}: {message}")]
    Manifest { file: String, message: String },
    #[error("{file}: {pointer}: {message}", pointer = if pointer.is_empty() { "/" } else { pointer })]
    Spec {
        file: String,
        pointer: String,
        message: String,
    },
    #[error("generated code for {file} does not parse: {message}")]
    Render { file: String, message: String },
}

impl Error {
    pub(crate) fn spec(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Spec {
            file: file.to_string(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}
