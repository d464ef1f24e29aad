//! `x-okta-crud` and `x-okta-operations` -> resource methods on models.

use serde::Deserialize;

use super::*;
use crate::source::path_to_pointer;

/// One entry of `x-okta-crud` / `x-okta-operations`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    alias: String,
    operation_id: String,
    #[serde(default)]
    arguments: Vec<Argument>,
}

/// Where one argument of the operation comes from: `dest` names the
/// parameter, `src` a field of the model, `parentSrc` a field of the parent
/// resource, `self` the model as the body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Argument {
    dest: Option<String>,
    src: Option<String>,
    parent_src: Option<String>,
    #[serde(rename = "self", default)]
    is_self: bool,
}

impl<'a> Normalizer<'a> {
    pub(super) fn resource_methods(&mut self, tags: &[Tag]) -> Result<(), Error> {
        let ops: BTreeMap<&str, (&Tag, &Operation)> = tags
            .iter()
            .flat_map(|t| t.operations.iter().map(move |o| (o.id.as_str(), (t, o))))
            .collect();
        for (name, schema) in self.schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let view = View::of(schema);
            let ty = self.names[name].clone();
            let mut methods = Vec::new();
            let mut taken = BTreeSet::new();
            for source in [MethodSource::Crud, MethodSource::Operations] {
                let Some(entries) = view.extension(source.extension()) else {
                    continue;
                };
                let base = SpecPointer(format!("{SCHEMAS}/{name}/{}", source.extension()));
                let entries: Vec<Entry> = serde_path_to_error::deserialize(entries).map_err(|e| {
                    self.err(
                        format!("{base}{}", path_to_pointer(e.path())),
                        e.inner().to_string(),
                    )
                })?;
                for (i, entry) in entries.iter().enumerate() {
                    let p = base.join(i);
                    let m = self.resource_method(name, entry, &ops, source, p)?;
                    let (rust, renamed) = unique(&mut taken, m.rust.0.clone());
                    if renamed {
                        self.warn(
                            &m.pointer,
                            format!("method name {} is taken; named {rust}", m.rust),
                        );
                    }
                    methods.push(ResourceMethod {
                        rust: RustIdent(rust),
                        ..m
                    });
                }
            }
            if let Some(model) = self.models.get_mut(&ty) {
                model.methods = methods;
            }
        }
        Ok(())
    }

    fn resource_method(
        &self,
        schema: &str,
        entry: &Entry,
        ops: &BTreeMap<&str, (&Tag, &Operation)>,
        source: MethodSource,
        pointer: SpecPointer,
    ) -> Result<ResourceMethod, Error> {
        let Entry {
            alias,
            operation_id,
            arguments,
        } = entry;
        let (tag, op) = ops.get(operation_id.as_str()).ok_or_else(|| {
            self.err(
                pointer.join("operationId").0,
                format!("`{operation_id}` is not an operationId of this spec"),
            )
        })?;
        let fields = self.all_fields.get(schema).cloned().unwrap_or_default();
        let mut by_dest: BTreeMap<&str, (usize, &Argument)> = BTreeMap::new();
        let mut self_body = false;
        for (i, arg) in arguments.iter().enumerate() {
            if arg.is_self {
                if op.body.is_none() {
                    return Err(self.err(
                        pointer.join("arguments").join(i).0,
                        format!("`self` binding but `{operation_id}` takes no body"),
                    ));
                }
                self_body = true;
                continue;
            }
            let dest = arg
                .dest
                .as_deref()
                .ok_or_else(|| self.err(pointer.join("arguments").join(i).0, "argument without `dest`"))?;
            if !op.params.iter().any(|p| p.wire == dest && p.required) {
                return Err(self.err(
                    pointer.join("arguments").join(i).join("dest").0,
                    format!("`{dest}` is not a required parameter of `{operation_id}`"),
                ));
            }
            by_dest.insert(dest, (i, arg));
        }
        let mut bindings = Vec::new();
        for p in op.required_params() {
            let binding = match by_dest.get(p.wire.as_str()) {
                Some((i, arg)) => {
                    let at = pointer.join("arguments").join(i);
                    if let Some(src) = &arg.src {
                        let field = fields.iter().find(|f| f.wire == src.as_str()).ok_or_else(|| {
                            self.err(
                                at.join("src").0,
                                format!("`{src}` is not a property of `{schema}`"),
                            )
                        })?;
                        Binding::Field {
                            field: field.rust.clone(),
                            required: field.required,
                        }
                    } else if arg.parent_src.is_some() {
                        Binding::Parent {
                            arg: p.rust.clone(),
                            param: p.wire.clone(),
                        }
                    } else {
                        return Err(self.err(at.0, "argument needs `src`, `parentSrc` or `self`"));
                    }
                }
                None => Binding::Caller {
                    arg: p.rust.clone(),
                    ty: p.ty.clone(),
                },
            };
            bindings.push(binding);
        }
        if let Some(body) = &op.body {
            if self_body {
                bindings.push(Binding::SelfBody);
            } else if body.required {
                bindings.push(Binding::Caller {
                    arg: body.rust.clone(),
                    ty: body.ty.clone(),
                });
            }
        }
        Ok(ResourceMethod {
            alias: alias.clone(),
            rust: snake(alias),
            operation_id: OperationId(operation_id.clone()),
            handle: tag.handle.clone(),
            operation_method: op.method_name.clone(),
            bindings,
            source,
            pointer,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::{Binding, MethodSource};
    use crate::load::{load, SourceFile};

    fn normalize(schema_extra: &str) -> Result<crate::ir::Api, crate::Error> {
        let text = format!(
            "openapi: 3.0.0\ninfo: {{title: T, version: '1'}}\npaths:\n  /apps/{{appId}}/users/{{userId}}:\n    post:\n      operationId: updateAppUser\n      tags: [App]\n      parameters:\n        - {{name: appId, in: path, required: true, schema: {{type: string}}}}\n        - {{name: userId, in: path, required: true, schema: {{type: string}}}}\n      requestBody: {{content: {{application/json: {{schema: {{$ref: '#/components/schemas/AppUser'}}}}}}}}\n      responses: {{'200': {{description: ok}}}}\ncomponents:\n  schemas:\n    AppUser:\n      type: object\n      properties: {{id: {{type: string}}}}\n{schema_extra}"
        );
        let spec = SourceFile {
            name: "t.yaml".into(),
            text,
        };
        super::super::normalize(&load(&spec, &[])?, "m", false)
    }

    #[test]
    fn typed_entries_bind_parent_field_and_self() {
        let api = normalize("      x-okta-crud:\n        - alias: update\n          operationId: updateAppUser\n          arguments:\n            - {dest: appId, parentSrc: id}\n            - {dest: userId, src: id}\n            - {self: true}\n").unwrap();
        let model = api.models.iter().find(|m| m.name.0 == "AppUser").unwrap();
        let method = &model.methods[0];
        assert_eq!(
            (method.rust.0.as_str(), method.source),
            ("update", MethodSource::Crud)
        );
        assert!(matches!(method.bindings[0], Binding::Parent { .. }));
        assert!(matches!(&method.bindings[1], Binding::Field { field, .. } if field.0 == "id"));
        assert!(matches!(method.bindings[2], Binding::SelfBody));
    }

    #[test]
    fn a_malformed_entry_names_its_pointer() {
        let err = normalize("      x-okta-operations:\n        - alias: go\n          operationId: updateAppUser\n          arguments: [{dest: appId, self: yes please}]\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "t.yaml: /components/schemas/AppUser/x-okta-operations/0/arguments/0/self: invalid type: string \"yes please\", expected a boolean"
        );
        let err = normalize("      x-okta-operations:\n        - alias: go\n          operationId: updateAppUser\n          arguments: [{dest: nope, src: id}]\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "t.yaml: /components/schemas/AppUser/x-okta-operations/0/arguments/0/dest: `nope` is not a required parameter of `updateAppUser`"
        );
    }
}
