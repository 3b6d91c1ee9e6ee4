//! "Did you mean": the nearest word a line could have meant, by edit
//! distance (a letter added, left out, changed, or two swapped).

/// The candidate nearest to `typed`, if it is near enough to be a slip of
/// the fingers: one edit for a word of up to four letters, two for longer.
pub(super) fn nearest<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    let most = if typed.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .into_iter()
        .map(|c| (distance(&typed, &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= most)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// The optimal string alignment distance: insertions, deletions,
/// substitutions and swaps of two neighbours, one each.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_finds_its_word_and_a_different_word_finds_none() {
        let words = ["emit", "join", "leave", "socketsJoin", "connect"];
        assert_eq!(nearest("emitt", words), Some("emit"));
        assert_eq!(nearest("jion", words), Some("join"));
        assert_eq!(nearest("conect", words), Some("connect"));
        assert_eq!(nearest("socketsjoin", words), Some("socketsJoin"));
        assert_eq!(nearest("send", words), None);
        assert_eq!(nearest("x", words), None);
    }
}
