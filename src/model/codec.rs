//! A small, explicit binary encoding (little-endian, length-prefixed) for the prepared-snapshot cache on disk.
//!
//! Readers never panic on bad input: every read returns `None` when the bytes end early or a length is absurd,
//! and the cache then falls back to a full load.

/// Appends values to a byte buffer.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }
    pub fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        v.iter().for_each(|x| self.u32(*x));
    }
    pub fn f64s(&mut self, v: &[f64]) {
        self.len(v.len());
        v.iter().for_each(|x| self.f64(*x));
    }
    pub fn pts(&mut self, v: &[[f64; 2]]) {
        self.len(v.len());
        for p in v {
            self.f64(p[0]);
            self.f64(p[1]);
        }
    }
}

/// Reads what [`Writer`] wrote.
pub struct Reader<'a> {
    pub rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }
    pub fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    /// A length, refused when the remaining bytes cannot hold `n` items of `item_size` bytes.
    pub fn len(&mut self, item_size: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n.checked_mul(item_size.max(1))? <= self.rest.len()).then_some(n)
    }
    pub fn str(&mut self) -> Option<String> {
        let n = self.len(1)?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    pub fn u32s(&mut self) -> Option<Vec<u32>> {
        let n = self.len(4)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.u32()?);
        }
        Some(v)
    }
    // Sized up front (the length is checked against the bytes left): collecting from a fallible iterator
    // would grow by doubling and keep up to twice the memory of a dense set's geometry.
    pub fn f64s(&mut self) -> Option<Vec<f64>> {
        let n = self.len(8)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.f64()?);
        }
        Some(v)
    }
    pub fn pts(&mut self) -> Option<Vec<[f64; 2]>> {
        let n = self.len(16)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push([self.f64()?, self.f64()?]);
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_and_truncated_bytes_read_as_nothing() {
        let mut w = Writer::default();
        w.str("Comuna 1 — Popular");
        w.u32s(&[1, 2, 3]);
        w.pts(&[[0.25, -1.5]]);
        let mut r = Reader::new(&w.buf);
        assert_eq!(r.str().as_deref(), Some("Comuna 1 — Popular"));
        assert_eq!(r.u32s(), Some(vec![1, 2, 3]));
        assert_eq!(r.pts(), Some(vec![[0.25, -1.5]]));
        let mut short = Reader::new(&w.buf[..w.buf.len() - 1]);
        short.str();
        short.u32s();
        assert_eq!(short.pts(), None);
    }
}
