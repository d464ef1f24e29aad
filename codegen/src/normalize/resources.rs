//! `x-okta-crud` and `x-okta-operations` -> resource methods on models.

use super::*;

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
            for source in ["x-okta-crud", "x-okta-operations"] {
                let Some(entries) = view.extension(source) else {
                    continue;
                };
                let base = SpecPointer(format!("{SCHEMAS}/{name}/{source}"));
                let entries = entries
                    .as_array()
                    .ok_or_else(|| self.err(base.0.clone(), "expected a list of operations"))?;
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

    pub(super) fn resource_method(
        &self,
        schema: &str,
        entry: &Value,
        ops: &BTreeMap<&str, (&Tag, &Operation)>,
        source: &'static str,
        pointer: SpecPointer,
    ) -> Result<ResourceMethod, Error> {
        let str_at = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| self.err(pointer.join(key).0, format!("missing `{key}`")))
        };
        let alias = str_at("alias")?;
        let operation_id = str_at("operationId")?;
        let (tag, op) = ops.get(operation_id).ok_or_else(|| {
            self.err(
                pointer.join("operationId").0,
                format!("`{operation_id}` is not an operationId of this spec"),
            )
        })?;
        let arguments = entry
            .get("arguments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let fields = self.all_fields.get(schema).cloned().unwrap_or_default();
        let mut by_dest: BTreeMap<&str, (usize, &Value)> = BTreeMap::new();
        let mut self_body = false;
        for (i, arg) in arguments.iter().enumerate() {
            if arg.get("self").and_then(Value::as_bool) == Some(true) {
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
                .get("dest")
                .and_then(Value::as_str)
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
                    if let Some(src) = arg.get("src").and_then(Value::as_str) {
                        let field = fields.iter().find(|f| f.wire == src).ok_or_else(|| {
                            self.err(
                                at.join("src").0,
                                format!("`{src}` is not a property of `{schema}`"),
                            )
                        })?;
                        Binding::Field {
                            field: field.rust.clone(),
                            required: field.required,
                        }
                    } else if arg.get("parentSrc").and_then(Value::as_str).is_some() {
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
            alias: alias.to_string(),
            rust: snake(alias),
            operation_id: operation_id.to_string(),
            handle: tag.handle.clone(),
            operation_method: op.method_name.clone(),
            bindings,
            source,
            pointer,
        })
    }
}
