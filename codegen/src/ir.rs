//! The intermediate representation: what `normalize` builds from a spec and
//! what every emitter reads. Plain owned data; no `openapiv3` type appears here.
//!
//! Both spec dialects land on the same concepts: Okta's `x-okta-parent` and
//! standard `allOf` become [`Struct::parent`]; `x-openapi-v3-discriminator` and
//! `discriminator` become [`Union`]; `x-okta-crud` / `x-okta-operations`
//! become [`ResourceMethod`]s.

use std::fmt;

/// A Rust identifier in snake_case (fields, methods, modules), keyword-escaped.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RustIdent(pub String);

/// A Rust type name in PascalCase.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeName(pub String);

/// A JSON pointer into the spec document, e.g. `/components/schemas/User`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpecPointer(pub String);

impl SpecPointer {
    /// The pointer one level down, with `~` and `/` escaped as RFC 6901 says.
    pub fn join(&self, segment: impl fmt::Display) -> SpecPointer {
        let segment = segment.to_string().replace('~', "~0").replace('/', "~1");
        SpecPointer(format!("{}/{}", self.0, segment))
    }
}

/// A name as the spec writes it: a property, parameter, schema, tag or
/// discriminator property (`mobilePhone`, `signOnMode`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WireName(pub String);

/// A media type as the spec writes it, e.g. `application/merge-patch+json`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContentType(pub String);

/// An `operationId` as the spec writes it, e.g. `listUsers`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OperationId(pub String);

macro_rules! string_newtype {
    ($($t:ty),*) => {$(
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    )*};
}
string_newtype!(
    RustIdent,
    TypeName,
    SpecPointer,
    WireName,
    ContentType,
    OperationId
);

/// One spec, normalised: becomes one module of `okta-api`.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    /// Module name in `okta-api` (also its cargo feature), e.g. `legacy`.
    pub module: RustIdent,
    /// `info.title` of the spec.
    pub title: String,
    /// `info.version` of the spec.
    pub version: String,
    /// Spec and overlay files, relative to the workspace, for file headers.
    pub sources: Vec<String>,
    /// Every model, sorted by Rust name.
    pub models: Vec<Model>,
    /// API handles, one per tag, sorted by Rust name.
    pub tags: Vec<Tag>,
    /// What could not be represented precisely, with where it is.
    pub warnings: Vec<Warning>,
    /// Where the module splits by tag: the cargo feature of the types no
    /// operation uses (and of what they reach).
    pub other_models_feature: Option<String>,
}

impl Api {
    /// All operations of all tags, in tag order then spec order.
    pub fn operations(&self) -> impl Iterator<Item = (&Tag, &Operation)> {
        self.tags
            .iter()
            .flat_map(|t| t.operations.iter().map(move |o| (t, o)))
    }

    /// The model with this Rust name.
    pub fn model(&self, name: &TypeName) -> Option<&Model> {
        self.models
            .binary_search_by(|m| m.name.cmp(name))
            .ok()
            .map(|i| &self.models[i])
    }
}

/// Something the generator represents less precisely than the spec says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub pointer: SpecPointer,
    pub message: String,
}

/// A tag of operations, emitted as one API handle (`UserApi`) in one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Tag {
    /// The tag as written in the spec, e.g. `UserFactor`.
    pub wire: WireName,
    /// Module (and file) name, e.g. `user_factor`: `apis/user_factor.rs`.
    pub module: RustIdent,
    /// Handle type, e.g. `UserFactorApi`.
    pub handle: TypeName,
    /// The tag's description, if the spec has one.
    pub doc: Option<String>,
    /// The cargo feature that compiles this tag, when the module has one
    /// feature per tag (e.g. `management-user`).
    pub feature: Option<String>,
    /// Operations in spec order (path order, then method order).
    pub operations: Vec<Operation>,
}

/// HTTP methods the specs use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Patch,
    Head,
    Options,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Head => "HEAD",
            HttpMethod::Options => "OPTIONS",
        }
    }
}

/// One operation: a method on its tag's handle plus a request builder.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    pub id: OperationId,
    /// Method name on the handle, e.g. `list_users`.
    pub method_name: RustIdent,
    /// Request builder type, e.g. `ListUsers`.
    pub builder: TypeName,
    pub method: HttpMethod,
    /// Path template as written, e.g. `/api/v1/users/{userId}`.
    pub path: String,
    pub pointer: SpecPointer,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Parameters in argument order: required path params in template order,
    /// other required params in spec order, then optional ones in spec order.
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub response: Response,
    /// Names of the security schemes that may authorise the call.
    pub security: Vec<String>,
    /// Whether the call carries the client's credentials (API token or
    /// access token). Not for operations without security, nor for those
    /// that only take the caller's client authentication in the body (the
    /// OAuth endpoints).
    pub credentials: bool,
}

impl Operation {
    /// Required parameters (method arguments), in argument order.
    pub fn required_params(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.required)
    }

    /// Optional parameters (builder setters), in spec order.
    pub fn optional_params(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| !p.required)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// A path, query, header or cookie parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub wire: WireName,
    pub rust: RustIdent,
    pub location: ParamLocation,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
    /// The spec's default, shown in docs; never sent implicitly.
    pub default: Option<serde_json::Value>,
    /// For arrays in the query: one `name=value` pair per item (`explode`).
    pub explode: bool,
}

/// A request body.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// Argument name, e.g. `user` (from the request body's name).
    pub rust: RustIdent,
    pub ty: TypeRef,
    pub content_type: ContentType,
    /// Other content types the operation accepts for the same body, which
    /// the caller may pick instead (e.g. PEM instead of DER).
    pub other_content_types: Vec<ContentType>,
    /// How the body is written, from its content type and type.
    pub encoding: BodyEncoding,
    pub required: bool,
    pub doc: Option<String>,
}

/// How a request body is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyEncoding {
    /// Serialized as JSON: `application/json`, any `+json` type, and any
    /// other content type whose body is neither text, bytes nor a form.
    Json,
    /// A string sent as it is (e.g. `application/secevent+jwt`).
    Text,
    /// Raw bytes (`format: binary`), e.g. a DER certificate.
    Bytes,
    /// `multipart/form-data`: one part per field of the body's struct.
    Multipart,
    /// `application/x-www-form-urlencoded`: one pair per field.
    Form,
}

/// The success response of an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// Decoded body type; `None` when the success response has no body.
    pub ty: Option<TypeRef>,
    pub content_type: Option<ContentType>,
    /// Other content types the success response can come in, which the
    /// caller may ask for instead (e.g. `application/pkcs10`).
    pub other_content_types: Vec<ContentType>,
    /// How the body becomes the operation's output.
    pub decoding: Decoding,
    /// Whether the body is a JSON array of items: the operation then has
    /// pages and an item stream, following `Link: rel="next"`.
    pub paged: bool,
    /// Every documented status with its description, in spec order.
    pub statuses: Vec<(String, String)>,
}

impl Response {
    /// The item type of a list answered one page at a time (`paged`).
    pub fn page_item(&self) -> Option<&TypeRef> {
        match (&self.ty, self.paged) {
            (Some(TypeRef::Array(item)), true) => Some(item),
            _ => None,
        }
    }
}

/// How a response body becomes the operation's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoding {
    /// No body: `()`.
    Empty,
    /// A string in a non-JSON content type, as it is.
    Text,
    /// Raw bytes.
    Bytes,
    /// JSON of the response type.
    Json,
    /// JSON of a type with an empty value, which an empty body (a 204
    /// where the spec promises a body) reads as.
    JsonOrDefault,
}

/// A reference to a type, as a field, parameter or body has it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    String,
    Bool,
    I32,
    I64,
    F64,
    /// Raw bytes (`format: binary`).
    Bytes,
    /// Any JSON value (free-form object or untyped schema).
    Any,
    Array(Box<TypeRef>),
    /// A JSON object with string keys and values of one type.
    Map(Box<TypeRef>),
    Named(TypeName),
}

/// A named type emitted into `models`.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub name: TypeName,
    /// Schema name in the spec (or a derived name for inline schemas).
    pub wire: WireName,
    pub pointer: SpecPointer,
    /// Where in the spec the type comes from.
    pub origin: Origin,
    /// File stem in `models/`, e.g. `user_profile`.
    pub file: RustIdent,
    pub doc: Option<String>,
    pub kind: ModelKind,
    /// Methods from `x-okta-crud` / `x-okta-operations`, in spec order.
    pub methods: Vec<ResourceMethod>,
    /// Features of the tags whose operations reach this type (sorted); the
    /// type is compiled when any of them is on. Empty: always compiled.
    pub features: Vec<String>,
}

/// Where in the spec a model comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The component schema `wire` (`/components/schemas/<wire>`).
    Component,
    /// The base fields of a polymorphic component schema, used for
    /// discriminator values no subtype claims.
    Fallback,
    /// A schema written in place: a property, an alternative, a parameter,
    /// a body or a response.
    Inline,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ModelKind {
    Struct(Struct),
    Enum(Enumeration),
    Union(Union),
    /// `oneOf` / `anyOf` without a discriminator.
    OneOf(OneOf),
    Alias(TypeRef),
}

/// A value that is one of several types, told apart only by its shape: the
/// alternative it fits best (or the first that fits), and a value none fits
/// is kept as JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct OneOf {
    /// Whether at least two alternatives are objects of different shapes:
    /// a value is then decoded as the alternative it fits best
    /// (`Shape`), not as the first that fits.
    pub best_match: bool,
    /// The alternatives, in spec order.
    pub variants: Vec<Alternative>,
    /// Whether every alternative is a scalar (string, number, boolean,
    /// enum), so that a value can stand in a path or query.
    pub scalar: bool,
}

/// One alternative of a [`OneOf`].
#[derive(Clone, Debug, PartialEq)]
pub struct Alternative {
    pub name: TypeName,
    pub ty: TypeRef,
    /// An inline alternative's `description`, else its `title`.
    pub doc: Option<String>,
    /// What an object of this alternative holds, where it is a struct: for
    /// choosing the alternative a value fits best.
    pub shape: Option<Shape>,
    /// Held in a `Box`: named alternatives may contain the one-of again.
    pub boxed: bool,
}

/// The properties of an object alternative of a one-of, by wire name.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// Properties the alternative requires.
    pub required: Vec<WireName>,
    /// Every property the alternative knows.
    pub known: Vec<WireName>,
    /// Properties whose value is one of a few strings (an `enum` field, a
    /// discriminator or `x-okta-defined-as` value), with those strings.
    pub constants: Vec<(WireName, Vec<String>)>,
}

/// An object type. Unknown properties are always kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    /// The parent (`x-okta-parent` or the `$ref` of an `allOf`), whose fields
    /// are included in `fields` as inherited ones.
    pub parent: Option<TypeName>,
    /// All fields: inherited first (parent order), then own; an own field of
    /// the same wire name replaces the inherited one in place.
    pub fields: Vec<Field>,
    /// Typed `additionalProperties`; `None` keeps extra properties as JSON.
    pub additional: Option<TypeRef>,
    /// `x-okta-extensible`: custom attributes expected beside the fields.
    pub extensible: bool,
    /// Values a new value of this type starts with: its discriminator value
    /// in each ancestor union and `x-okta-defined-as`.
    pub fixed: Vec<Fixed>,
    /// How a new, empty value of the type is made.
    pub default: StructDefault,
}

/// A value a struct's field is fixed to.
#[derive(Clone, Debug, PartialEq)]
pub struct Fixed {
    pub field: WireName,
    pub value: String,
    /// Whether `Default` sets it: the field is a string or an enum.
    pub settable: bool,
}

/// How a new, empty value of a struct is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StructDefault {
    /// No empty value: a required field's type has none.
    None,
    /// `#[derive(Default)]`.
    Derive,
    /// A `Default` that sets the settable [`Fixed`] values.
    WithFixed,
}

/// A property of an object type.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub wire: WireName,
    pub rust: RustIdent,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub read_only: bool,
    pub write_only: bool,
    pub doc: Option<String>,
    /// The ancestor that declares this field, if it is inherited.
    pub inherited_from: Option<TypeName>,
    pub pointer: SpecPointer,
    /// Held in a `Box`: the field's type contains its owner without any
    /// other indirection.
    pub boxed: bool,
    /// Whether the type has an empty value, which a required field Okta
    /// leaves out reads as (rather than failing the whole response).
    pub has_default: bool,
}

/// A string enum; always open (unknown values are kept verbatim).
#[derive(Clone, Debug, PartialEq)]
pub struct Enumeration {
    pub values: Vec<EnumValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    pub wire: String,
    pub rust: TypeName,
}

/// A polymorphic type: decided by a discriminator property.
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    /// Wire name of the discriminator property, e.g. `signOnMode`.
    pub property: WireName,
    /// Known subtypes, in mapping order. A subtype may itself be a union
    /// (nested discriminators).
    pub variants: Vec<Variant>,
    /// The struct of the base's own fields, used for unknown discriminator
    /// values (and for values whose mapping points at the base itself).
    pub fallback: TypeName,
    /// Fields present with the same type in every variant and the fallback:
    /// readable on the union without matching.
    pub common: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub rust: TypeName,
    pub ty: TypeName,
    /// Discriminator values that select this variant.
    pub values: Vec<String>,
    /// Whether `ty` is itself a union.
    pub nested: bool,
}

/// A method on a model from `x-okta-crud` / `x-okta-operations`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceMethod {
    /// `alias` as written, e.g. `activate`.
    pub alias: String,
    pub rust: RustIdent,
    /// The operation it calls.
    pub operation_id: OperationId,
    /// Handle of the operation's tag, and its method.
    pub handle: TypeName,
    pub operation_method: RustIdent,
    /// One binding per required parameter of the operation (and the body),
    /// in the operation's argument order.
    pub bindings: Vec<Binding>,
    pub source: MethodSource,
    pub pointer: SpecPointer,
}

/// The extension a resource method comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodSource {
    /// `x-okta-crud`: create, read, update, delete.
    Crud,
    /// `x-okta-operations`: any other operation on the resource.
    Operations,
}

impl MethodSource {
    /// The extension's key.
    pub fn extension(self) -> &'static str {
        match self {
            MethodSource::Crud => "x-okta-crud",
            MethodSource::Operations => "x-okta-operations",
        }
    }
}

/// Where an operation argument comes from when called as a resource method.
#[derive(Clone, Debug, PartialEq)]
pub enum Binding {
    /// `src`: a field of the model.
    Field { field: RustIdent, required: bool },
    /// `self`: the model itself is the body.
    SelfBody,
    /// `parentSrc`: a field of the parent resource, which the caller passes.
    Parent { arg: RustIdent, param: WireName },
    /// Not bound by the extension: the caller passes it.
    Caller { arg: RustIdent, ty: TypeRef },
}
