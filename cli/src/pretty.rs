//! JSON indented for reading, every token kept as sent: a number keeps its
//! digits (`9007199254740993`, `0.10`), which a round trip through `f64`
//! would not.

/// `json` (valid JSON text) indented by two spaces per level.
pub fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
                // An empty object or list stays on one line.
                match chars.next_if(|c| matches!(c, '}' | ']')) {
                    Some(close) => out.push(close),
                    None => {
                        depth += 1;
                        new_line(&mut out, depth);
                    }
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                new_line(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_as_serde_json_does() {
        let text = r#" {"a": [1, {"b": "x,\"y\":{"}, [], {}], "c" : {"d":null,"e":true}} "#;
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(pretty(text), serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn numbers_keep_their_digits() {
        let text = r#"{"id":9007199254740993,"fee":12345678901234567890.10,"e":1E+400}"#;
        assert_eq!(
            pretty(text),
            "{\n  \"id\": 9007199254740993,\n  \"fee\": 12345678901234567890.10,\n  \"e\": 1E+400\n}"
        );
    }
}
