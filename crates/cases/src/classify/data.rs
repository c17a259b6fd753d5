//! Labelled messages: what the classifier learns from and is measured on.
//!
//! One JSON object per line, with a `category` and either a raw `body` (as a message
//! arrives) or pre-segmented `tokens` (space-separated words, as an older system may
//! have exported its history), and optionally a `title`. Other fields are ignored.

use std::{io::BufRead, path::Path};

use serde::Deserialize;

use super::text::Message;

/// A labelled message.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub title: String,
    pub text: ExampleText,
    pub category: String,
}

/// The body of an example, as it was kept.
#[derive(Debug, Clone, PartialEq)]
pub enum ExampleText {
    Raw(String),
    Segmented(String),
}

impl Example {
    pub fn raw(title: &str, body: &str, category: &str) -> Example {
        Example {
            title: title.to_owned(),
            text: ExampleText::Raw(body.to_owned()),
            category: category.to_owned(),
        }
    }

    pub fn segmented(title: &str, tokens: &str, category: &str) -> Example {
        Example {
            title: title.to_owned(),
            text: ExampleText::Segmented(tokens.to_owned()),
            category: category.to_owned(),
        }
    }

    pub fn message(&self) -> Message<'_> {
        match &self.text {
            ExampleText::Raw(body) => Message::Raw {
                title: &self.title,
                body,
            },
            ExampleText::Segmented(tokens) => Message::Segmented {
                title: &self.title,
                tokens,
            },
        }
    }
}

/// Why a labelled file could not be read. Each names the file and the line.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}, line {line}: {reason}")]
    Line {
        path: String,
        line: usize,
        reason: String,
    },
}

#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    tokens: Option<String>,
    category: Option<String>,
}

/// Reads a JSONL file of labelled messages, all or nothing: a bad line fails the file.
pub fn read_labelled(path: &Path) -> Result<Vec<Example>, DataError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| DataError::Io {
        path: shown.clone(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let fail = |reason: String| DataError::Line {
            path: shown.clone(),
            line: i + 1,
            reason,
        };
        let line = line.map_err(|e| fail(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(&line).map_err(|e| fail(e.to_string()))?;
        let category = l
            .category
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| fail("no `category`".into()))?;
        let title = l.title.unwrap_or_default();
        let text = match (l.body, l.tokens) {
            (Some(body), None) => ExampleText::Raw(body),
            (None, Some(tokens)) => ExampleText::Segmented(tokens),
            (Some(_), Some(_)) => return Err(fail("both `body` and `tokens`; give one".into())),
            (None, None) => return Err(fail("neither `body` nor `tokens`".into())),
        };
        out.push(Example {
            title,
            text,
            category: category.trim().to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_raw_or_segmented_and_a_bad_one_names_itself() {
        let dir = std::env::temp_dir().join(format!("cm-labelled-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.jsonl");
        std::fs::write(
            &good,
            "{\"title\":\"a\",\"body\":\"路灯\",\"category\":\"城乡建设\"}\n\n\
             {\"tokens\":\"社保 缴费\",\"category\":\"劳动和社会保障\",\"n\":3}\n",
        )
        .unwrap();
        let ex = read_labelled(&good).unwrap();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[1], Example::segmented("", "社保 缴费", "劳动和社会保障"));
        let bad = dir.join("bad.jsonl");
        std::fs::write(
            &bad,
            "{\"body\":\"x\",\"category\":\"c\"}\n{\"body\":\"y\"}\n",
        )
        .unwrap();
        let err = read_labelled(&bad).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("category"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
