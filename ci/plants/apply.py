"""Plants one realistic bug of a named class into a scratch copy of the parser (ci/plant-bugs.sh).

Usage: apply.py WORKTREE PLANT. Each plant is the kind of slip the oracles must catch: an integer
wrap in one format, a duplicate check that compares neighbours only, a CRC over the wrong range,
a lost count check, a preallocation from a claimed count, an unchecked offset, a truncated
header read, an unwrap on overflow in the runtime.
"""
import sys
root=sys.argv[1].rstrip('/')+'/parser/src/'
def rep(p, old, new):
    s=open(root+p).read()
    assert old in s, (p, old)
    open(root+p,'w').write(s.replace(old,new,1))
k=sys.argv[2]
if k=='wrap_u8':
    rep('scalar.rs','FeatureType::U8 => parse_int(ty, text).map(Value::U8),','FeatureType::U8 => parse_int::<u64>(ty, text).map(|v| Value::U8(v as u8)),')
elif k=='wrap_u16_binary':
    rep('format/binary/wire.rs','U32_MARKER if width >= Width::U32 =>','U32_MARKER =>')
    rep('format/binary/wire.rs','''        self.varint(Width::U16)
            .map(|v| u16::try_from(v).unwrap_or(u16::MAX))''','''        self.varint(Width::U16).map(|v| v as u16)''')
elif k=='dup_neighbours':
    rep('validate.rs',"""                Ok(first) => Err(self.duplicate(name, first, position, index, database.as_deref())),""","""                Ok(first) if first + 1 == index => Err(self.duplicate(name, first, position, index, database.as_deref())),
                Ok(_) => {
                    self.kind = kind;
                    self.origins.push(origin);
                    Ok(())
                }""")
elif k=='crc_range':
    rep('format/binary/mod.rs','let actual = crc32fast::hash(payload);','let actual = crc32fast::hash(payload.get(1..).unwrap_or_default());')
    rep('format/binary/mod.rs','out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());','out.extend_from_slice(&crc32fast::hash(payload.get(1..).unwrap_or_default()).to_le_bytes());')
elif k=='lost_count':
    rep('validate.rs','if self.origins.len() >= self.limits.max_features {','if false {')
elif k=='prealloc':
    rep('format/binary/mod.rs','let mut features = Vec::with_capacity(expected);','let mut features: Vec<Feature> = Vec::with_capacity(declared as usize);')
elif k=='offset_add':
    # The realistic variant: the offset added unchecked and the slice indexed, so a length that
    # runs past the payload panics instead of being "truncated".
    rep('format/binary/wire.rs','''        let end = self.pos.checked_add(len).ok_or(WireError::End)?;
        let bytes = self.bytes.get(self.pos..end).ok_or(WireError::End)?;
        let s = std::str::from_utf8(bytes)''','''        let end = self.pos + len;
        let bytes = &self.bytes[self.pos..end];
        let s = std::str::from_utf8(bytes)''')
elif k=='truncated_header':
    rep('format/binary/mod.rs','''    if magic != MAGIC {
        return Err(bad_magic());
    }''','''    if magic != MAGIC {
        return Err(bad_magic());
    }
    let _flags = input[6];''')
elif k=='runtime_unwrap':
    rep('limits.rs','pub const MAX_FEATURES: usize = 200;','pub const MAX_FEATURES: usize = 400;')
    rep('runtime/buffer.rs','''            cells: Vec::with_capacity(limits.max_features.min(crate::limits::MAX_SLOTS)),
            capacity: limits.max_features.min(crate::limits::MAX_SLOTS),''','''            cells: Vec::with_capacity(200),
            capacity: 200,''')
    rep('runtime/buffer.rs','''        if table.len() > self.capacity {
            return Err(RuntimeError::CapacityExceeded {''','''        if table.len() > self.capacity {
            None::<()>.unwrap();
            return Err(RuntimeError::CapacityExceeded {''')
else:
    raise SystemExit('unknown plant '+k)
