//! TEMP stub
pub(crate) fn sentences(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut v = vec![];
    let mut s = 0;
    for (i, c) in text.char_indices() {
        if c == '.' {
            v.push(s..i + 1);
            s = i + 1;
        }
    }
    if s < text.len() {
        v.push(s..text.len());
    }
    v
}
