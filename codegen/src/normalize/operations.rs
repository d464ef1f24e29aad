//! Paths -> operations grouped by tag: parameters, request bodies,
//! responses, and the names a request builder keeps for itself.

use super::*;

impl<'a> Normalizer<'a> {
    pub(super) fn operations(&mut self) -> Result<Vec<Tag>, Error> {
        // (position in the file, operation) per tag.
        let mut by_tag: BTreeMap<String, Vec<(usize, Operation)>> = BTreeMap::new();
        let mut ids = BTreeSet::new();
        // Method name -> the operationId that took it.
        let mut methods: BTreeMap<String, String> = BTreeMap::new();
        // Paths are read in name order, so that the names their inline
        // schemas claim do not depend on the order of the file; operations
        // are then listed in the file's order, which is Okta's.
        let mut paths: Vec<(usize, (&String, &ReferenceOr<openapiv3::PathItem>))> =
            self.api.paths.iter().enumerate().collect();
        paths.sort_by_key(|(_, (path, _))| *path);
        for (position, (path, item)) in paths {
            let path_ptr = SpecPointer("/paths".into()).join(path);
            let ReferenceOr::Item(item) = item else {
                return Err(self.err(path_ptr.0, "path item references are not supported"));
            };
            for (method, op) in item.iter() {
                let pointer = path_ptr.join(method);
                let Some(id) = op.operation_id.clone() else {
                    return Err(self.err(pointer.0, "operation has no operationId"));
                };
                if !ids.insert(id.clone()) {
                    return Err(self.err(
                        pointer.join("operationId").0,
                        format!("duplicate operationId `{id}`"),
                    ));
                }
                if let Some(other) = methods.insert(snake(&id).0, id.clone()) {
                    return Err(self.err(
                        pointer.join("operationId").0,
                        format!(
                            "operationId `{id}` and `{other}` name the same method `{}`; rename one (an overlay can)",
                            snake(&id).0
                        ),
                    ));
                }
                let tag = op.tags.first().cloned().unwrap_or_else(|| "Default".into());
                let operation = self.operation(path, method, op, &item.parameters, id, pointer)?;
                by_tag.entry(tag).or_default().push((position, operation));
            }
        }
        let (mut modules, mut handles) = (BTreeSet::new(), BTreeSet::new());
        let mut tags = Vec::new();
        for (wire, mut operations) in by_tag {
            operations.sort_by_key(|(position, _)| *position);
            let mut operations: Vec<Operation> = operations.into_iter().map(|(_, op)| op).collect();
            let doc = self
                .api
                .tags
                .iter()
                .find(|t| t.name == wire)
                .and_then(|t| t.description.clone());
            // Tags that differ only in case or spacing (`User`, `user`) get
            // distinct modules and handles, in tag order.
            let at = operations.first().map(|o| o.pointer.join("tags").join(0));
            let (module, module_renamed) = unique(&mut modules, snake(&wire).0);
            let (handle, handle_renamed) = unique(&mut handles, camel(&format!("{}Api", pascal(&wire))));
            if let (true, Some(at)) = (module_renamed || handle_renamed, &at) {
                self.warn(
                    at,
                    format!(
                        "tag `{wire}` names the same module as another tag; it is `{module}` with `{handle}`"
                    ),
                );
            }
            let handle = TypeName(handle);
            for op in &mut operations {
                if op.builder == handle {
                    let renamed = TypeName(format!("{}Request", op.builder));
                    self.warn(
                        &op.pointer.join("operationId"),
                        format!("the request builder would be named like its handle `{handle}`; it is `{renamed}`"),
                    );
                    op.builder = renamed;
                }
            }
            tags.push(Tag {
                feature: None,
                module: RustIdent(module),
                handle,
                wire: WireName(wire),
                doc,
                operations,
            });
        }
        tags.sort_by(|a, b| a.handle.cmp(&b.handle));
        Ok(tags)
    }

    /// The parameter `p` is, following `$ref`s into `components/parameters`.
    pub(super) fn parameter(
        &self,
        p: &'a ReferenceOr<Parameter>,
        pointer: &SpecPointer,
    ) -> Result<&'a Parameter, Error> {
        match p {
            ReferenceOr::Item(p) => Ok(p),
            ReferenceOr::Reference { reference } => {
                let entries = self.api.components.as_ref().map(|c| &c.parameters);
                let name = component_name("parameters", reference);
                let at = pointer.join("$ref").0;
                Ok(self.resolve("parameters", "parameter", entries, name, &at)?.1)
            }
        }
    }

    /// Whether the security scheme `name` is one the client's own
    /// credentials satisfy (an API token in `Authorization`, an OAuth 2.0 or
    /// bearer access token), rather than the caller's client authentication
    /// (`client_secret_basic`, `client_secret_post`, `private_key_jwt`: the
    /// OAuth endpoints), which the request carries itself. An undeclared
    /// scheme counts as the client's.
    fn is_org_credential(&self, name: &str) -> bool {
        use openapiv3::SecurityScheme;
        let scheme = self
            .api
            .components
            .as_ref()
            .and_then(|c| c.security_schemes.get(name));
        match scheme {
            Some(ReferenceOr::Item(SecurityScheme::HTTP { scheme, .. })) => {
                scheme.eq_ignore_ascii_case("bearer")
            }
            Some(ReferenceOr::Item(SecurityScheme::APIKey { name, .. })) => {
                name.eq_ignore_ascii_case("authorization")
            }
            _ => true,
        }
    }

    /// A parameter or body name that the request builder uses itself
    /// (its `client` field, its `request`/`send`/... methods) gets `_arg`
    /// appended, with a warning.
    pub(super) fn builder_safe(&mut self, rust: &str, pointer: &SpecPointer) -> String {
        if !BUILDER_NAMES.contains(&rust) {
            return rust.to_string();
        }
        let renamed = format!("{rust}_arg");
        self.warn(
            pointer,
            format!("`{rust}` is a name the request builder uses; the argument is named `{renamed}`"),
        );
        renamed
    }

    pub(super) fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &'a openapiv3::Operation,
        shared: &'a [ReferenceOr<Parameter>],
        id: String,
        pointer: SpecPointer,
    ) -> Result<Operation, Error> {
        let op_type = pascal(&id).0;
        let mut params: Vec<Param> = Vec::new();
        let mut param_pointers: Vec<SpecPointer> = Vec::new();
        let path_item = SpecPointer("/paths".into()).join(path);
        let shared = shared
            .iter()
            .enumerate()
            .map(|(i, p)| (p, path_item.join("parameters").join(i)));
        let own = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, pointer.join("parameters").join(i)));
        for (p, ptr) in shared.chain(own) {
            let p = self.parameter(p, &ptr)?;
            let data = p.parameter_data_ref();
            let location = match p {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => ParamLocation::Cookie,
            };
            let (ty, default) = match &data.format {
                ParameterSchemaOrContent::Schema(s) => {
                    let default = as_schema(s).ok().and_then(|s| s.schema_data.default.clone());
                    let suggested = format!("{op_type}{}", pascal(&data.name).0);
                    (self.type_of(s, &suggested, &ptr.join("schema"))?, default)
                }
                ParameterSchemaOrContent::Content(_) => {
                    self.warn(&ptr, "parameter with `content`: sent as a string");
                    (TypeRef::String, None)
                }
            };
            let param = Param {
                wire: WireName(data.name.clone()),
                rust: snake(&data.name),
                location,
                ty,
                required: data.required || location == ParamLocation::Path,
                doc: data.description.clone(),
                default,
                explode: data.explode.unwrap_or(true),
            };
            // An operation's own parameter replaces a path-level one.
            if let Some(i) = params
                .iter()
                .position(|q| q.wire == param.wire && q.location == param.location)
            {
                params.remove(i);
                param_pointers.remove(i);
            }
            params.push(param);
            param_pointers.push(ptr);
        }
        let mut taken = BTreeSet::new();
        for (p, ptr) in params.iter_mut().zip(&param_pointers) {
            let rust = self.builder_safe(&p.rust.0, ptr);
            let (name, _) = unique(&mut taken, rust);
            p.rust = RustIdent(name);
        }
        // Every `{placeholder}` of the template needs its path parameter.
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            if !params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.wire == name)
            {
                return Err(self.err(
                    pointer.0.clone(),
                    format!("path template placeholder `{{{name}}}` has no path parameter"),
                ));
            }
            rest = &rest[open + close + 1..];
        }
        // Argument order: path params in template order, other required
        // params in spec order; optional ones keep spec order.
        let template_pos = |p: &Param| path.find(&format!("{{{}}}", p.wire)).unwrap_or(usize::MAX);
        for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if template_pos(p) == usize::MAX {
                return Err(self.err(
                    pointer.0.clone(),
                    format!("path parameter `{}` is not in the path template", p.wire),
                ));
            }
        }
        let body = self.request_body(op, &op_type, &pointer, &mut taken)?;
        if body.as_ref().is_some_and(|b| !b.other_content_types.is_empty()) {
            for (p, ptr) in params.iter_mut().zip(&param_pointers) {
                if p.rust.0 == "content_type" {
                    let (name, _) = unique(&mut taken, "content_type_arg".into());
                    self.warn(ptr, format!("`content_type` is a setter of this request builder; the argument is named `{name}`"));
                    p.rust = RustIdent(name);
                }
            }
        }
        params.sort_by_key(|p| match (p.required, p.location) {
            (true, ParamLocation::Path) => (0, template_pos(p)),
            (true, _) => (1, 0),
            (false, _) => (2, 0),
        });
        let response = self.response(op, &op_type, &pointer)?;
        let security = op
            .security
            .as_ref()
            .or(self.api.security.as_ref())
            .map(|reqs| {
                let mut names: Vec<String> = reqs.iter().flat_map(|r| r.keys().cloned()).collect();
                names.dedup();
                names
            })
            .unwrap_or_default();
        let credentials = security.iter().any(|name| self.is_org_credential(name));
        let mut method_name = snake(&id);
        if HANDLE_NAMES.contains(&method_name.0.as_str()) {
            let renamed = RustIdent(format!("{method_name}_operation"));
            self.warn(
                &pointer.join("operationId"),
                format!("`{method_name}` is a name the API handle uses; the method is `{renamed}`"),
            );
            method_name = renamed;
        }
        Ok(Operation {
            method_name,
            builder: TypeName(camel(&op_type)),
            id: OperationId(id),
            method: match method {
                "get" => HttpMethod::Get,
                "put" => HttpMethod::Put,
                "post" => HttpMethod::Post,
                "delete" => HttpMethod::Delete,
                "patch" => HttpMethod::Patch,
                "head" => HttpMethod::Head,
                "options" => HttpMethod::Options,
                other => return Err(self.err(pointer.0, format!("unsupported HTTP method `{other}`"))),
            },
            path: path.to_string(),
            pointer,
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            params,
            body,
            response,
            security,
            credentials,
        })
    }

    pub(super) fn request_body(
        &mut self,
        op: &'a openapiv3::Operation,
        op_type: &str,
        pointer: &SpecPointer,
        taken: &mut BTreeSet<String>,
    ) -> Result<Option<Body>, Error> {
        let Some(rb) = &op.request_body else {
            return Ok(None);
        };
        let ptr = pointer.join("requestBody");
        let (body, name) = match rb {
            ReferenceOr::Item(b) => (b, None),
            ReferenceOr::Reference { reference } => {
                let entries = self.api.components.as_ref().map(|c| &c.request_bodies);
                let at = ptr.join("$ref").0;
                let name = component_name("requestBodies", reference);
                let (name, body) = self.resolve("requestBodies", "request body", entries, name, &at)?;
                (body, Some(name.to_string()))
            }
        };
        let Some((content_type, media)) = preferred_content(&body.content) else {
            return Ok(None);
        };
        // Argument name: the spec's explicit name, the referenced schema's
        // name, the shared request body's name, or `body`.
        let schema_name = match &media.schema {
            Some(ReferenceOr::Reference { reference }) => Some(schema_name_of(reference).to_string()),
            _ => None,
        };
        let name = op
            .extensions
            .get("x-codegen-request-body-name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or(schema_name)
            .or(name)
            .unwrap_or_else(|| "body".into());
        let ty = match &media.schema {
            Some(s) => self.type_of(
                s,
                &format!("{op_type}Body"),
                &ptr.join("content").join(content_type).join("schema"),
            )?,
            None => TypeRef::Bytes,
        };
        let rust = self.builder_safe(&snake(&name).0, &ptr);
        let (rust, _) = unique(taken, rust);
        Ok(Some(Body {
            rust: RustIdent(rust),
            ty,
            content_type: ContentType(content_type.clone()),
            other_content_types: body
                .content
                .keys()
                .filter(|k| *k != content_type)
                .map(|k| ContentType(k.clone()))
                .collect(),
            encoding: BodyEncoding::Json,
            required: body.required,
            doc: body.description.clone(),
        }))
    }

    pub(super) fn response(
        &mut self,
        op: &'a openapiv3::Operation,
        op_type: &str,
        pointer: &SpecPointer,
    ) -> Result<Response, Error> {
        let mut statuses = Vec::new();
        let mut success = None;
        for (code, resp) in &op.responses.responses {
            let ptr = pointer.join("responses").join(code);
            let resp = match resp {
                ReferenceOr::Item(r) => r,
                ReferenceOr::Reference { reference } => {
                    let entries = self.api.components.as_ref().map(|c| &c.responses);
                    let at = ptr.join("$ref").0;
                    let name = component_name("responses", reference);
                    self.resolve("responses", "response", entries, name, &at)?.1
                }
            };
            statuses.push((code.to_string(), resp.description.clone()));
            let is_success = match code {
                StatusCode::Code(c) => (200..300).contains(c),
                StatusCode::Range(r) => *r == 2,
            };
            if is_success && success.is_none() {
                success = Some((resp, ptr));
            }
        }
        let success_content: Vec<String> = success
            .as_ref()
            .map(|(r, _)| r.content.keys().cloned().collect())
            .unwrap_or_default();
        let (ty, content_type) =
            match success.and_then(|(r, p)| preferred_content(&r.content).map(|c| (c, p))) {
                Some(((ct, media), p)) => {
                    let ty = match &media.schema {
                        Some(s) if is_json(ct) => Some(self.type_of(
                            s,
                            &format!("{op_type}Response"),
                            &p.join("content").join(ct).join("schema"),
                        )?),
                        _ if ct.starts_with("text/") || ct.ends_with("xml") => Some(TypeRef::String),
                        _ => Some(TypeRef::Bytes),
                    };
                    (ty, Some(ct.clone()))
                }
                None => (None, None),
            };
        Ok(Response {
            ty,
            other_content_types: success_content
                .into_iter()
                .filter(|c| Some(c) != content_type.as_ref())
                .map(ContentType)
                .collect(),
            content_type: content_type.map(ContentType),
            decoding: Decoding::Json,
            paged: false,
            statuses,
        })
    }
}

/// Names an API handle defines itself: its constructor.
const HANDLE_NAMES: &[&str] = &["new"];

/// Names a request builder defines itself: its `client` field and its
/// methods. A parameter or body with one of them is renamed (and
/// `content_type` where the body has alternative content types, which
/// brings a setter of that name).
pub(super) const BUILDER_NAMES: &[&str] = &[
    "client",
    "request",
    "send",
    "send_with_response",
    "send_raw",
    "all",
    "pages",
    "stream",
    "into_future",
];

pub(super) fn is_json(content_type: &str) -> bool {
    let ct = content_type.split(';').next().unwrap_or("").trim();
    ct == "application/json" || ct.ends_with("+json")
}

/// JSON first (plain, then `+json`), otherwise the first listed.
pub(super) fn preferred_content<V>(content: &IndexMap<String, V>) -> Option<(&String, &V)> {
    content
        .iter()
        .find(|(k, _)| k.as_str() == "application/json")
        .or_else(|| content.iter().find(|(k, _)| is_json(k)))
        .or_else(|| content.iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_recognised_with_parameters_and_suffixes() {
        for ct in [
            "application/json",
            "application/json; charset=utf-8",
            "application/scim+json",
            " application/merge-patch+json ",
        ] {
            assert!(is_json(ct), "{ct}");
        }
        for ct in [
            "text/plain",
            "application/jsonl",
            "application/x-pem-file",
            "multipart/form-data",
            "",
        ] {
            assert!(!is_json(ct), "{ct}");
        }
    }

    #[test]
    fn plain_json_is_preferred_then_any_json_then_the_first() {
        let content = |types: &[&str]| {
            types
                .iter()
                .map(|t| (t.to_string(), ()))
                .collect::<IndexMap<_, _>>()
        };
        let pick = |types: &[&str]| preferred_content(&content(types)).map(|(k, _)| k.clone());
        assert_eq!(
            pick(&["application/xml", "application/scim+json", "application/json"]).unwrap(),
            "application/json"
        );
        assert_eq!(
            pick(&["application/xml", "application/scim+json"]).unwrap(),
            "application/scim+json"
        );
        assert_eq!(
            pick(&["application/xml", "text/plain"]).unwrap(),
            "application/xml"
        );
        assert_eq!(pick(&[]), None);
    }
}
