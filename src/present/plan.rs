//! Where the presenter pauses: after each block's results, and often enough
//! that no more than one screen is printed between two pauses.

use std::ops::Range;

/// One piece of a lesson's transcript, as the presenter sees it: how many
/// rows it takes at the width shown, and whether a block of steps ends with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    pub rows: usize,
    /// The last statement (or run of connects) of a ```` ```tour ```` block.
    pub ends_block: bool,
}

/// The pages: consecutive ranges of units, each followed by a pause. A page
/// ends after a block's results (so they stay on screen while the teacher
/// talks about them), or before the unit that would make it taller than
/// `screen` rows. One row of the screen is the pause line itself. A unit
/// taller than a screen has a page of its own (it cannot be split further).
pub fn pages(units: &[Unit], screen: usize) -> Vec<Range<usize>> {
    let budget = screen.saturating_sub(1).max(1);
    let mut pages = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (i, unit) in units.iter().enumerate() {
        if i > start && used + unit.rows > budget {
            pages.push(start..i);
            start = i;
            used = 0;
        }
        used += unit.rows;
        if unit.ends_block {
            pages.push(start..i + 1);
            start = i + 1;
            used = 0;
        }
    }
    if start < units.len() {
        pages.push(start..units.len());
    }
    pages
}

#[cfg(test)]
mod tests {
    //! Pauses after results, and never more than a screen between two.
    use super::*;

    fn unit(rows: usize, ends_block: bool) -> Unit {
        Unit { rows, ends_block }
    }

    #[test]
    fn a_page_ends_after_each_block() {
        let units = [unit(3, false), unit(2, true), unit(4, false), unit(2, true)];
        assert_eq!(pages(&units, 24), [0..2, 2..4]);
    }

    #[test]
    fn a_long_block_is_split_so_that_no_page_is_taller_than_the_screen() {
        let mut units = vec![unit(10, false)];
        units.extend((0..10).map(|i| unit(4, i == 9)));
        let pages = pages(&units, 24);
        for page in &pages {
            let rows: usize = units[page.clone()].iter().map(|u| u.rows).sum();
            assert!(rows < 24, "{page:?} has {rows} rows");
        }
        assert_eq!(pages.last().unwrap().end, units.len());
        assert_eq!(
            pages[0],
            0..4,
            "prose and the first statements share a page"
        );
    }

    #[test]
    fn a_unit_taller_than_the_screen_has_a_page_of_its_own() {
        let units = [unit(2, false), unit(40, false), unit(2, true)];
        assert_eq!(pages(&units, 24), [0..1, 1..2, 2..3]);
    }

    #[test]
    fn trailing_prose_is_a_last_page() {
        let units = [unit(2, true), unit(5, false)];
        assert_eq!(pages(&units, 24), [0..1, 1..2]);
        assert!(pages(&[], 24).is_empty());
    }
}
