//! Seeded random tour scripts over the whole language.
