//! Checks on a GGUF file before anything is allocated from what it declares. Model code
//! (ours and candle's) trusts the metadata: a zero embedding width divides by zero, a block
//! count in the billions asks `Vec::with_capacity` for terabytes and aborts, a context length
//! of billions precomputes rotary tables of that many rows, `general.alignment = 0` divides
//! by zero in candle's reader, and a tensor past the end of the file is found only once
//! memory for it is taken. Each is refused here with what is wrong.

use crate::gguf::{integer, Info};
use candle_core::quantized::gguf_file::{Content, Value};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

/// Bounds no real model comes near (the largest open models are 16,384 wide with 126
/// layers and 128 heads); past them a file is crafted or broken.
const MAX_WIDTH: u64 = 1 << 16;
const MAX_BLOCKS: u64 = 1 << 10;
const MAX_FEED_FORWARD: u64 = 1 << 20;

/// Refuses a file whose `general.alignment` is zero, which candle's reader divides by.
/// Only the metadata keys are walked; values are skipped. A header this walk cannot follow
/// is left to candle's reader, which bounds every length and reports it.
pub(crate) fn check_alignment<R: Read + Seek>(reader: R) -> Result<(), String> {
    let mut reader = BufReader::new(reader);
    match alignment(&mut reader) {
        Ok(Some(0)) => Err("its `general.alignment` is 0, which no GGUF file can have".into()),
        _ => Ok(()),
    }
}

fn alignment<R: BufRead + Seek>(r: &mut R) -> std::io::Result<Option<u64>> {
    let file_size = r.seek(SeekFrom::End(0))?;
    r.seek(SeekFrom::Start(0))?;
    let _magic = u32_of(r)?;
    let wide = match u32_of(r)? {
        1 => false,
        2 | 3 => true,
        _ => return Ok(None),
    };
    let _tensors = length(r, wide)?;
    let entries = length(r, wide)?;
    for _ in 0..entries {
        let key_len = length(r, wide)?;
        let key = if key_len == "general.alignment".len() as u64 {
            let mut key = vec![0; key_len as usize];
            r.read_exact(&mut key)?;
            key
        } else {
            skip(r, key_len, file_size)?;
            Vec::new()
        };
        let kind = u32_of(r)?;
        if key == b"general.alignment" {
            return Ok(match kind {
                0 | 1 => Some(u64::from(byte(r)?)),
                2 | 3 => Some(u64::from(u16::from_le_bytes(bytes(r)?))),
                4 | 5 => Some(u64::from(u32_of(r)?)),
                _ => None,
            });
        }
        skip_value(r, kind, wide, file_size, 0)?;
    }
    Ok(None)
}

fn skip_value<R: BufRead + Seek>(
    r: &mut R,
    kind: u32,
    wide: bool,
    file_size: u64,
    depth: usize,
) -> std::io::Result<()> {
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed metadata");
    match kind {
        8 => {
            let len = length(r, wide)?;
            skip(r, len, file_size)
        }
        9 if depth < 64 => {
            let element = u32_of(r)?;
            let count = length(r, wide)?;
            match fixed_size(element) {
                Some(size) => skip(r, count.checked_mul(size).ok_or_else(bad)?, file_size),
                None => {
                    // Every element takes at least one byte, so a count past the file is bad.
                    if count > file_size {
                        return Err(bad());
                    }
                    (0..count).try_for_each(|_| skip_value(r, element, wide, file_size, depth + 1))
                }
            }
        }
        _ => skip(r, fixed_size(kind).ok_or_else(bad)?, file_size),
    }
}

/// Bytes of a value of a fixed-size GGUF type.
fn fixed_size(kind: u32) -> Option<u64> {
    Some(match kind {
        0 | 1 | 7 => 1,
        2 | 3 => 2,
        4..=6 => 4,
        10..=12 => 8,
        _ => return None,
    })
}

fn skip<R: BufRead + Seek>(r: &mut R, n: u64, file_size: u64) -> std::io::Result<()> {
    let at = r.stream_position()?;
    if at.saturating_add(n) > file_size {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    r.seek(SeekFrom::Current(n as i64)).map(|_| ())
}

fn bytes<const N: usize, R: Read>(r: &mut R) -> std::io::Result<[u8; N]> {
    let mut b = [0; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

fn byte<R: Read>(r: &mut R) -> std::io::Result<u8> {
    Ok(bytes::<1, _>(r)?[0])
}

fn u32_of<R: Read>(r: &mut R) -> std::io::Result<u32> {
    Ok(u32::from_le_bytes(bytes(r)?))
}

fn length<R: Read>(r: &mut R, wide: bool) -> std::io::Result<u64> {
    if wide {
        Ok(u64::from_le_bytes(bytes(r)?))
    } else {
        u32_of(r).map(u64::from)
    }
}

/// Checks the model's dimensions and tensor table against the file, and clamps the declared
/// context length in `content` to what [`Info`] allows, since candle's models size their
/// rotary tables from the metadata.
pub(crate) fn check_model(content: &mut Content, info: &Info, file_size: u64) -> Result<(), String> {
    let arch = info.architecture.name();
    let key = |name: &str| format!("{arch}.{name}");
    let required = |name: &str| integer(content, &key(name)).ok_or_else(|| format!("it has no `{}`", key(name)));
    let within = |name: &str, value: u64, max: u64| {
        if value == 0 || value > max {
            Err(format!("its `{}` is {value}, outside 1..={max}", key(name)))
        } else {
            Ok(value)
        }
    };
    let width = within("embedding_length", required("embedding_length")?, MAX_WIDTH)?;
    let blocks = within("block_count", required("block_count")?, MAX_BLOCKS)?;
    // Each layer has several tensors: a count past the tensor table is a lie.
    if blocks > content.tensor_infos.len() as u64 {
        return Err(format!(
            "its `{}` is {blocks}, but the file holds only {} tensors",
            key("block_count"),
            content.tensor_infos.len()
        ));
    }
    let heads = within("attention.head_count", required("attention.head_count")?, width)?;
    if let Some(kv_heads) = integer(content, &key("attention.head_count_kv")) {
        within("attention.head_count_kv", kv_heads, heads)?;
    }
    for (name, max) in [
        ("attention.key_length", MAX_WIDTH),
        ("rope.dimension_count", width),
        ("feed_forward_length", MAX_FEED_FORWARD),
    ] {
        if let Some(value) = integer(content, &key(name)) {
            within(name, value, max)?;
        }
    }
    let context = key("context_length");
    if content.metadata.contains_key(&context) {
        if integer(content, &context) == Some(0) {
            return Err(format!("its `{context}` is 0"));
        }
        content.metadata.insert(context, Value::U32(info.context_length as u32));
    }
    check_tensors(content, file_size)
}

/// Every tensor must lie wholly inside the file, its size computed without overflow.
fn check_tensors(content: &Content, file_size: u64) -> Result<(), String> {
    for (name, tensor) in &content.tensor_infos {
        let beyond = || format!("its tensor `{name}` lies beyond the end of the file ({file_size} bytes)");
        let elements = tensor.shape.dims().iter().try_fold(1u64, |n, &d| n.checked_mul(d as u64)).ok_or_else(beyond)?;
        let block = tensor.ggml_dtype.block_size() as u64;
        if !elements.is_multiple_of(block) {
            return Err(format!("its tensor `{name}` has {elements} values, not whole blocks of {block}"));
        }
        let bytes = (elements / block).checked_mul(tensor.ggml_dtype.type_size() as u64).ok_or_else(beyond)?;
        let end = content
            .tensor_data_offset
            .checked_add(tensor.offset)
            .and_then(|s| s.checked_add(bytes))
            .ok_or_else(beyond)?;
        if end > file_size {
            return Err(beyond());
        }
    }
    Ok(())
}

/// Refuses a model file larger than the memory available to load it (`MemAvailable`, where
/// the system says; elsewhere nothing is checked). Loading needs at least the file's size,
/// and an allocation the system cannot meet aborts the process instead of failing.
pub(crate) fn fits_in_memory(file_size: u64, available: Option<u64>) -> Result<(), (u64, u64)> {
    match available {
        Some(available) if file_size > available => Err((file_size, available)),
        _ => Ok(()),
    }
}

/// Memory available to a new allocation, from `/proc/meminfo` on Linux.
pub(crate) fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::Architecture;
    use candle_core::quantized::gguf_file::{TensorInfo, VersionedMagic};
    use candle_core::quantized::GgmlDType;
    use std::collections::HashMap;

    /// A llama-shaped header of 2 layers with one small tensor per layer and a few more.
    fn content(arch: &str, overrides: &[(&str, Value)]) -> Content {
        let mut metadata: HashMap<String, Value> = [
            ("general.architecture", Value::String(arch.into())),
            ("embedding_length", Value::U32(64)),
            ("block_count", Value::U32(2)),
            ("attention.head_count", Value::U32(4)),
            ("attention.head_count_kv", Value::U32(2)),
            ("rope.dimension_count", Value::U32(16)),
            ("context_length", Value::U32(2048)),
        ]
        .into_iter()
        .map(|(k, v)| (if k.starts_with("general.") { k.to_string() } else { format!("{arch}.{k}") }, v))
        .collect();
        for (k, v) in overrides {
            metadata.insert(format!("{arch}.{k}"), v.clone());
        }
        let tensor_infos = (0..4)
            .map(|i| {
                let info = TensorInfo { ggml_dtype: GgmlDType::F32, shape: vec![64].into(), offset: i * 256 };
                (format!("t{i}"), info)
            })
            .collect();
        Content { magic: VersionedMagic::GgufV3, metadata, tensor_infos, tensor_data_offset: 1024 }
    }

    fn check(arch: &str, overrides: &[(&str, Value)], file_size: u64) -> Result<Content, String> {
        let mut content = content(arch, overrides);
        let info = Info::read(&content)?;
        check_model(&mut content, &info, file_size)?;
        Ok(content)
    }

    const SIZE: u64 = 1024 + 4 * 256;

    #[test]
    fn a_sound_header_passes() {
        check("llama", &[], SIZE).unwrap();
    }

    #[test]
    fn dimensions_that_would_divide_by_zero_or_allocate_without_bound_are_refused() {
        let cases: [(&str, Value, &str); 6] = [
            ("embedding_length", Value::U32(0), "`llama.embedding_length` is 0"),
            ("block_count", Value::U32(3_000_000_000), "`llama.block_count` is 3000000000"),
            ("block_count", Value::U32(900), "only 4 tensors"),
            ("attention.head_count", Value::U32(0), "`llama.attention.head_count` is 0"),
            ("attention.head_count_kv", Value::U32(8), "`llama.attention.head_count_kv` is 8, outside 1..=4"),
            ("context_length", Value::U64(0), "`llama.context_length` is 0"),
        ];
        for (key, value, expected) in cases {
            let error = check("llama", &[(key, value)], SIZE).err().unwrap_or_else(|| panic!("{key} passed"));
            assert!(error.contains(expected), "{key}: {error}");
        }
        let error = check("qwen2", &[("embedding_length", Value::U64(1 << 40))], SIZE).unwrap_err();
        assert!(error.contains("`qwen2.embedding_length` is 1099511627776"), "{error}");
    }

    #[test]
    fn the_context_length_candle_reads_is_clamped() {
        let content = check("qwen2", &[("context_length", Value::U64(4_000_000_000))], SIZE).unwrap();
        assert_eq!(content.metadata["qwen2.context_length"].to_u32().unwrap(), 8192);
        let content = check("llama", &[("context_length", Value::U32(1 << 20))], SIZE).unwrap();
        assert_eq!(content.metadata["llama.context_length"].to_u32().unwrap(), 4096);
        assert_eq!(Info::read(&content).unwrap().architecture, Architecture::Llama);
    }

    #[test]
    fn tensors_beyond_the_file_are_refused() {
        let error = check("llama", &[], SIZE - 1).unwrap_err();
        assert!(error.contains("lies beyond the end of the file"), "{error}");
        let mut content = content("llama", &[]);
        let info = Info::read(&content).unwrap();
        content.tensor_infos.get_mut("t0").unwrap().offset = u64::MAX - 10;
        assert!(check_model(&mut content, &info, SIZE).unwrap_err().contains("`t0` lies beyond"));
        let mut content = self::content("llama", &[]);
        content.tensor_infos.get_mut("t1").unwrap().shape = vec![1 << 40, 1 << 40].into();
        assert!(check_model(&mut content, &info, SIZE).unwrap_err().contains("`t1` lies beyond"));
    }

    #[test]
    fn a_file_larger_than_available_memory_is_refused() {
        assert_eq!(fits_in_memory(10 << 30, Some(4 << 30)), Err((10 << 30, 4 << 30)));
        assert_eq!(fits_in_memory(1 << 30, Some(4 << 30)), Ok(()));
        assert_eq!(fits_in_memory(u64::MAX, None), Ok(()));
        assert!(available_memory().is_some_and(|m| m > 0), "Linux reports MemAvailable");
    }
}
