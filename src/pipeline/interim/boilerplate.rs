//! TEMP stub
#[derive(Debug, Clone, Default)]
/// s
pub struct StripOptions {}
/// s
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RemovalReason {
    /** s */
    Navigation,
    /** s */
    Share,
    /** s */
    Donation,
    /** s */
    Legal,
    /** s */
    Copyright,
    /** s */
    Cookie,
    /** s */
    Related,
    /** s */
    Comments,
    /** s */
    Advertising,
    /** s */
    Other,
}
/// s
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedBlock {
    /** s */
    pub text: String,
    /** s */
    pub reason: RemovalReason,
}
/// s
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stripped {
    /** s */
    pub text: String,
    /** s */
    pub title: Option<String>,
    /** s */
    pub removed: Vec<RemovedBlock>,
}
pub(crate) fn strip_text(text: &str, _o: &StripOptions) -> Stripped {
    Stripped {
        text: text.to_owned(),
        title: None,
        removed: vec![],
    }
}
pub(crate) fn strip_html(html: &str, _o: &StripOptions) -> Stripped {
    Stripped {
        text: html.replace('<', " "),
        title: None,
        removed: vec![RemovedBlock {
            text: "x".into(),
            reason: RemovalReason::Navigation,
        }],
    }
}
