//! The content codings responses are compressed with (gzip, Brotli, Zstandard), whole or as a stream.
//!
//! Two efforts: [`Effort::Fast`] for what is compressed per request (documents, pages, `/items` pages, tiles
//! when the cache is off) and [`Effort::Strong`] for what is compressed once and kept (cached tiles). The HTTP
//! layer decides which coding a client gets (`http::negotiate`); this module only encodes.

use flate2::write::GzEncoder;
use std::io::Write;

/// log2 of the largest window: 8 MB.
const WINDOW_LOG: u32 = 23;
/// Zstandard's smallest window log.
const ZSTD_MIN_WINDOW_LOG: u32 = 10;
// Writing into a `Vec` cannot fail, and neither can the encoders around it.
const IN_MEMORY: &str = "compressing into memory cannot fail";

/// A content coding, in the server's order of preference when a client accepts several equally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    /// Zstandard: the cheapest to compress per byte saved, so first when a client accepts all three.
    Zstd,
    Br,
    Gzip,
}

/// How hard to compress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// For bytes made per request: a few hundred MB/s, most of the gain.
    Fast,
    /// For bytes compressed once and served many times.
    Strong,
}

impl Coding {
    /// Every coding, in the server's order of preference.
    pub const ALL: [Coding; 3] = [Coding::Zstd, Coding::Br, Coding::Gzip];

    /// The token of `Content-Encoding` and `Accept-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Self::Zstd => "zstd",
            Self::Br => "br",
            Self::Gzip => "gzip",
        }
    }

    /// A slot per coding (for arrays indexed by coding).
    pub fn index(self) -> usize {
        match self {
            Self::Zstd => 0,
            Self::Br => 1,
            Self::Gzip => 2,
        }
    }

    /// The level of each library: gzip 4 / 9 (flate2's miniz at 1 gives up a third of the gain on GeoJSON),
    /// Brotli quality 2 / 9 (11 costs ten times 9's time for ~2 % less on tiles; on the streamed 2.6 MB
    /// `/items?limit=21` page quality 2 gives 823 KB in ~40 ms where 4 gave 828 KB in ~70 ms, as large as
    /// gzip 4's 826 KB and now faster; docs/benchmarks.md), Zstandard 3 / 19.
    fn level(self, effort: Effort) -> u32 {
        match (self, effort) {
            (Self::Gzip, Effort::Fast) => 4,
            (Self::Gzip, Effort::Strong) => 9,
            (Self::Br, Effort::Fast) => 2,
            (Self::Br, Effort::Strong) => 9,
            (Self::Zstd, Effort::Fast) => 3,
            (Self::Zstd, Effort::Strong) => 19,
        }
    }

    /// A streaming encoder writing into memory; `size` is the input's size when known (small inputs get a
    /// small window, so memory follows the body).
    ///
    /// Brotli and Zstandard get an 8 MB window when the size is unknown or large (gzip's is 32 KB): an `/items`
    /// page repeats each unit's geometry once per year, megabytes apart, and a window that reaches back
    /// across a year compresses such a page about four times better. 8 MB is what browsers decode (RFC 8878
    /// §3.1.1.1.2 asks decoders for at least that).
    pub fn encoder(self, effort: Effort, size: Option<usize>) -> Encoder {
        let capacity = size.map_or(64 * 1024, |n| n / 3 + 64);
        let out = Vec::with_capacity(capacity);
        let level = self.level(effort);
        // log2 of the window: the input's size rounded up, from 1 KB to 8 MB.
        let window = size.map_or(WINDOW_LOG, |n| {
            (usize::BITS - n.max(1).leading_zeros()).clamp(10, WINDOW_LOG)
        });
        Encoder(match self {
            Self::Gzip => Inner::Gzip(GzEncoder::new(out, flate2::Compression::new(level))),
            Self::Br => Inner::Br(Box::new(brotli::CompressorWriter::new(
                out, 4096, level, window,
            ))),
            Self::Zstd => {
                let mut e = zstd::stream::write::Encoder::new(out, level as i32).expect(IN_MEMORY);
                let configured = e
                    .window_log(window.max(ZSTD_MIN_WINDOW_LOG))
                    .and_then(|()| e.long_distance_matching(window > 20))
                    .and_then(|()| e.set_pledged_src_size(size.map(|n| n as u64)));
                configured.expect("Zstandard parameters in range");
                Inner::Zstd(e)
            }
        })
    }

    /// `data` compressed whole.
    pub fn compress(self, data: &[u8], effort: Effort) -> Vec<u8> {
        let mut encoder = self.encoder(effort, Some(data.len()));
        let mut out = encoder.push(data);
        out.extend(encoder.finish());
        out
    }
}

enum Inner {
    Gzip(GzEncoder<Vec<u8>>),
    Br(Box<brotli::CompressorWriter<Vec<u8>>>),
    Zstd(zstd::stream::write::Encoder<'static, Vec<u8>>),
}

/// Compresses a stream piece by piece: each [`Encoder::push`] returns what the encoder has emitted so far
/// (often nothing for small pieces), [`Encoder::finish`] the rest.
pub struct Encoder(Inner);

impl Encoder {
    /// Feeds `data`; returns the compressed bytes ready so far.
    pub fn push(&mut self, data: &[u8]) -> Vec<u8> {
        match &mut self.0 {
            Inner::Gzip(e) => {
                e.write_all(data).expect(IN_MEMORY);
                std::mem::take(e.get_mut())
            }
            Inner::Br(e) => {
                e.write_all(data).expect(IN_MEMORY);
                std::mem::take(e.get_mut())
            }
            Inner::Zstd(e) => {
                e.write_all(data).expect(IN_MEMORY);
                std::mem::take(e.get_mut())
            }
        }
    }

    /// Ends the stream; returns the last compressed bytes.
    pub fn finish(self) -> Vec<u8> {
        match self.0 {
            Inner::Gzip(e) => e.finish().expect(IN_MEMORY),
            Inner::Br(e) => e.into_inner(),
            Inner::Zstd(e) => e.finish().expect(IN_MEMORY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn decode(coding: Coding, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match coding {
            Coding::Gzip => {
                flate2::read::GzDecoder::new(data)
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Coding::Br => {
                brotli::Decompressor::new(data, 4096)
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Coding::Zstd => out = zstd::decode_all(data).unwrap(),
        };
        out
    }

    #[test]
    fn every_coding_decodes_to_the_input_whole_or_streamed() {
        let text: Vec<u8> = (0..20_000)
            .flat_map(|i| format!("{{\"codigo\":\"{:02}\",\"valor\":{i}}},", i % 21).into_bytes())
            .collect();
        for coding in Coding::ALL {
            for effort in [Effort::Fast, Effort::Strong] {
                let whole = coding.compress(&text, effort);
                assert!(whole.len() < text.len() / 4, "{coding:?} {effort:?}");
                assert_eq!(decode(coding, &whole), text, "{coding:?} {effort:?}");
                let mut encoder = coding.encoder(effort, None);
                let mut streamed: Vec<u8> =
                    text.chunks(1000).flat_map(|c| encoder.push(c)).collect();
                streamed.extend(encoder.finish());
                assert_eq!(decode(coding, &streamed), text, "{coding:?} {effort:?}");
            }
        }
        for coding in Coding::ALL {
            assert_eq!(decode(coding, &coding.compress(b"", Effort::Fast)), b"");
        }
    }
}
