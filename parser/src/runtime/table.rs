//! The feature table: built only from a validated file, with its capacity fixed at the limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

use crate::error::Error;
use crate::limits::Limits;
use crate::model::{Feature, FeatureFile, FeatureType, Name};

/// A slot number in a [`FeatureTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SlotId(pub(crate) u16);

impl SlotId {
    /// The slot's index, from 0.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// A validated feature file laid out for the request path: slot by slot, with name lookup and
/// each string slot's place in a request buffer's arena.
#[derive(Debug)]
pub struct FeatureTable {
    /// Unique in the process: a request buffer knows its table by this, not by the serial (two
    /// tables with one serial — a replay, a rollback, a test — are still two layouts).
    generation: u64,
    file: FeatureFile,
    by_name: HashMap<Name, SlotId, foldhash::fast::RandomState>,
    /// Arena offset of each slot (meaningful for `str(N)` slots only).
    arena_offsets: Vec<usize>,
    arena_len: usize,
    capacity: usize,
}

impl FeatureTable {
    /// Validates `file` under `limits` and lays it out. The slot vector is allocated once, at the
    /// feature limit, as the proxy does.
    pub fn build(file: FeatureFile, limits: &Limits) -> Result<Self, Error> {
        file.validate(limits)?;
        // A raised limit sizes nothing past what a slot number can address, nor past the file.
        let capacity = limits
            .max_features
            .min(crate::limits::MAX_SLOTS)
            .max(file.features.len());
        let mut by_name = HashMap::with_capacity_and_hasher(capacity, Default::default());
        let mut arena_offsets = Vec::with_capacity(capacity);
        let mut arena_len = 0usize;
        for (index, feature) in file.features.iter().enumerate() {
            // validate() bounds the count by max_features; u16 holds any sane limit, and a larger
            // one is refused here rather than truncated.
            let slot = u16::try_from(index).map_err(|_| {
                Error::new(
                    crate::ErrorKind::TooManyFeatures,
                    crate::Position::File,
                    "too many features for a u16 slot number",
                )
            })?;
            by_name.insert(feature.name.clone(), SlotId(slot));
            arena_offsets.push(arena_len);
            if let FeatureType::Str(n) = feature.ty {
                arena_len = arena_len.saturating_add(usize::from(n));
            }
        }
        Ok(FeatureTable {
            generation: NEXT_GENERATION.fetch_add(1, Ordering::Relaxed),
            file,
            by_name,
            arena_offsets,
            arena_len,
            capacity,
        })
    }

    /// The file the table was built from.
    pub fn file(&self) -> &FeatureFile {
        &self.file
    }

    /// This table's identity among every table built in the process.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The file's serial.
    pub fn serial(&self) -> u64 {
        self.file.serial
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.file.features.len()
    }

    /// Never true for a built table (a file has at least one feature); here for completeness.
    pub fn is_empty(&self) -> bool {
        self.file.features.is_empty()
    }

    /// The slot capacity the table was laid out for (the feature limit).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The slot of the feature called `name`.
    pub fn slot(&self, name: &str) -> Option<SlotId> {
        self.by_name.get(name).copied()
    }

    /// The feature in `slot`.
    pub fn feature(&self, slot: SlotId) -> Option<&Feature> {
        self.file.features.get(slot.index())
    }

    /// The features, in slot order.
    pub fn features(&self) -> &[Feature] {
        &self.file.features
    }

    pub(crate) fn arena_len(&self) -> usize {
        self.arena_len
    }

    pub(crate) fn arena_offset(&self, slot: SlotId) -> Option<usize> {
        self.arena_offsets.get(slot.index()).copied()
    }
}
