//! Command-line elements of a container component as the SDK compiles
//! them: plain strings (input and output placeholders are strings
//! already), and `ConcatPlaceholder` / `IfPresentPlaceholder`, which the
//! compiler writes as JSON (`json.dumps` of their struct). Both readers of
//! components use it: the Python host for the `dsl` classes, the YAML
//! reader for a v1 component's `{concat: ...}` and `{if: ...}`.

use crate::python::json_string;

#[derive(Debug, Clone, PartialEq)]
pub enum Placeholder {
    Text(String),
    Concat(Vec<Placeholder>),
    IfPresent {
        input: String,
        then: Branch,
        otherwise: Option<Branch>,
    },
}

/// What `then`/`else_` hold: one element or a list of them.
#[derive(Debug, Clone, PartialEq)]
pub enum Branch {
    One(Box<Placeholder>),
    List(Vec<Placeholder>),
}

impl Placeholder {
    /// The element as it stands in the compiled `command`/`args`.
    pub fn to_command_line(&self) -> String {
        match self {
            Placeholder::Text(t) => t.clone(),
            _ => self.to_struct(),
        }
    }

    /// As JSON, nested placeholders as structs and strings as strings
    /// (`convert_command_line_element_to_string_or_struct`).
    fn to_struct(&self) -> String {
        match self {
            Placeholder::Text(t) => json_string(t),
            Placeholder::Concat(items) => format!("{{\"Concat\": {}}}", list(items)),
            Placeholder::IfPresent { input, then, otherwise } => {
                let mut out = format!(
                    "{{\"IfPresent\": {{\"InputName\": {}, \"Then\": {}",
                    json_string(input),
                    then.to_struct()
                );
                // `if self.else_:` — an empty list is no else
                if let Some(e) = otherwise.as_ref().filter(|e| !e.is_empty()) {
                    out.push_str(&format!(", \"Else\": {}", e.to_struct()));
                }
                out.push_str("}}");
                out
            }
        }
    }
}

impl Branch {
    fn is_empty(&self) -> bool {
        matches!(self, Branch::List(l) if l.is_empty())
    }

    fn to_struct(&self) -> String {
        match self {
            Branch::One(p) => p.to_struct(),
            Branch::List(items) => list(items),
        }
    }
}

fn list(items: &[Placeholder]) -> String {
    let parts: Vec<String> = items.iter().map(Placeholder::to_struct).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_the_sdk_writes_them() {
        // expected strings from kfp 2.17.3: ConcatPlaceholder(...)._to_string() and
        // IfPresentPlaceholder(...)._to_string()
        let t = |s: &str| Placeholder::Text(s.into());
        let concat = Placeholder::Concat(vec![t("--rank="), t("{{$.inputs.parameters['rank']}}")]);
        assert_eq!(
            concat.to_command_line(),
            r#"{"Concat": ["--rank=", "{{$.inputs.parameters['rank']}}"]}"#
        );
        let nested = Placeholder::IfPresent {
            input: "rank".into(),
            then: Branch::List(vec![t("--lora"), concat]),
            otherwise: Some(Branch::List(vec![t("é")])),
        };
        assert_eq!(
            nested.to_command_line(),
            r#"{"IfPresent": {"InputName": "rank", "Then": ["--lora", {"Concat": ["--rank=", "{{$.inputs.parameters['rank']}}"]}], "Else": ["\u00e9"]}}"#
        );
        let single = Placeholder::IfPresent {
            input: "x".into(),
            then: Branch::One(Box::new(t("--x"))),
            otherwise: Some(Branch::List(vec![])),
        };
        assert_eq!(
            single.to_command_line(),
            r#"{"IfPresent": {"InputName": "x", "Then": "--x"}}"#
        );
        assert_eq!(t("plain").to_command_line(), "plain");
    }
}
