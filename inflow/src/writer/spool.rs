//! The writer's crash-safe spool (the `spool` feature): every point a write took is in a file
//! of the spool directory before the write returns, every batch is in a file of its own before
//! it is sent, and what the server acknowledged leaves the directory.
//!
//! # On-disk format
//!
//! The directory holds:
//!
//! - `lock`: locked (an advisory, exclusive lock of the operating system) by the writer that
//!   uses the directory, for as long as any handle of it lives; a second writer on the same
//!   directory fails with [`ErrorKind::SpoolLocked`]. The lock goes with the process, however
//!   it ends.
//! - `segment-G.log`: the **open segment** of generation `G`. Each write appends one record
//!   holding the line protocol of its points, in the order writes were taken. When the
//!   background task cuts a batch, it starts `segment-(G+1).log` for the writes that follow.
//! - `recovered-G.log`: an open segment made by a writer that found points left in the
//!   directory: it starts with all of them, and every file of an older generation is stale.
//! - `batch-G-L.log`: the part of lane `L` of the batch cut from segment `G`, written before the
//!   segment is removed and before the batch is sent. Once the server settled all of it (stored
//!   or refused) the file is removed; when it settled a first part, the rest replaces the file
//!   (written as `batch-G-L.tmp`, then renamed over it).
//! - nothing else of the writer: files with other names are left alone.
//!
//! Every data file starts with the text line `inflow-spool 1 precision=P` (`P` the precision of
//! the timestamps, as in the write API), followed by records. A record is a 16-byte header,
//! then its payload (whole lines of line protocol):
//!
//! | bytes | what |
//! | --- | --- |
//! | 4 | the magic `FF 49 46 52` (`0xFF` never occurs in line protocol, which is UTF-8) |
//! | 4 | the payload's length in bytes, little-endian |
//! | 4 | the number of lines in the payload, little-endian |
//! | 4 | CRC-32 (IEEE) of the length, the line count and the payload, little-endian |
//!
//! # Recovery
//!
//! A writer opened on a directory reads what is there before it takes a point:
//!
//! - `*.tmp` files (a replacement that did not finish) are removed: the file they were to
//!   replace still holds its points.
//! - When a `recovered-G.log` exists, every file of a generation older than the newest such `G`
//!   is stale (its points were copied into that file) and removed unread.
//! - Generation by generation, oldest first: a segment (`segment-G.log` or `recovered-G.log`)
//!   holds every point of its generation, and any `batch-G-*.log` beside it is an unfinished
//!   cut, removed unread; without a segment, the batch files of the generation hold its points,
//!   lane by lane.
//! - A record whose header or CRC does not check out is skipped, with a warning (through
//!   `tracing`) naming the file, the offset and the bytes skipped; reading goes on at the next
//!   magic that starts a good record. A torn last record (the process died in the middle of an
//!   append) is thus skipped alone. A file whose header is not the spool's is left alone with a
//!   warning; an empty or torn header means an empty file.
//!
//! The points found are written to a new `recovered-N.log` (one generation past every file
//! found), then every older file is removed; they become the first points of the new writer,
//! sent before any point it takes: points of one series keep their order, as the recovered
//! points were all taken before the crash.
//!
//! # Why by hand
//!
//! The write-ahead logs and disk queues on crates.io (`queue-file`, `yaque`, `okaywal`, ...)
//! keep one ordered log and let its consumer remove or checkpoint a prefix of it. The writer's
//! lanes settle independently and out of order, and a batch may be settled in part (a body
//! larger than a request sent in several, or a partial write): that needs one file per lane
//! batch that can be removed or shortened on its own, and the format above is small enough to
//! state and test in full here.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::{Error, ErrorKind, Precision, Result};

/// When the spool makes the operating system put its files on the disk (`fsync`).
///
/// Whatever the policy, a point a write took is in the spool's file (in the operating system's
/// cache at least) before the write returns, so that every point survives a crash or kill of
/// the process. Power loss or an operating system crash is another matter: what is only in the
/// cache is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SpoolSync {
    /// Syncs after every write, every batch file and every removal: every point a write took
    /// survives power loss too, and an acknowledged batch is never sent again. Each write then
    /// waits for the disk (milliseconds on many disks), under the writer's lock: writes are
    /// taken one disk sync at a time.
    Always,
    /// Syncs each batch file (and the directory) when a batch is cut, before it is sent: power
    /// loss loses at most the points taken since the last cut (one flush interval, or one
    /// batch), and may send some acknowledged points again (a removal not yet on the disk);
    /// a process crash loses nothing. The default: it costs one sync per cut, not per write.
    #[default]
    Batch,
    /// Never syncs: a process crash loses nothing, power loss may lose anything in the spool.
    Never,
}

/// The spool's settings, from the builder.
#[derive(Debug, Clone)]
pub(crate) struct SpoolConfig {
    pub(crate) dir: PathBuf,
    pub(crate) sync: SpoolSync,
}

const MAGIC: [u8; 4] = [0xFF, b'I', b'F', b'R'];
const RECORD_HEADER: usize = 16;
const FILE_HEADER_PREFIX: &[u8] = b"inflow-spool 1 precision=";
const LOCK_FILE: &str = "lock";

/// The open segment, appended to under the writer's lock.
#[derive(Debug)]
pub(crate) struct Segment {
    file: File,
    path: PathBuf,
    generation: u64,
    /// The length of the file after its last whole record.
    len: u64,
    dir: PathBuf,
    sync: SpoolSync,
    precision: Precision,
    /// A record's header and payload, for one write(2).
    scratch: Vec<u8>,
    /// Held for the writer's life: the lock on the directory.
    _lock: File,
}

impl Segment {
    /// Appends one record of `lines` lines: when it fails, the file is as it was and the
    /// points must not be taken.
    pub(crate) fn append(&mut self, payload: &[u8], lines: usize) -> Result<()> {
        self.scratch.clear();
        push_record(&mut self.scratch, payload, lines).map_err(|err| self.error(&err))?;
        let written = self.file.write_all(&self.scratch).and_then(|()| {
            if self.sync == SpoolSync::Always {
                self.file.sync_data()
            } else {
                Ok(())
            }
        });
        match written {
            Ok(()) => {
                self.len += self.scratch.len() as u64;
                Ok(())
            }
            Err(err) => {
                // A record written in part must not stay in the middle of the file.
                let _ = self.file.set_len(self.len);
                Err(self.error(&err))
            }
        }
    }

    fn error(&self, err: &io::Error) -> Error {
        Error::new(
            ErrorKind::Spool,
            format!(
                "the spool file {} could not be written ({err}); the points were not taken",
                self.path.display()
            ),
        )
    }

    /// Starts the next generation's segment for the writes that follow a cut; the generation
    /// cut. On an error the segment stays open (its generation is in the error).
    pub(crate) fn rotate(&mut self) -> std::result::Result<u64, (u64, io::Error)> {
        let generation = self.generation + 1;
        let path = self.dir.join(segment_name(generation));
        let (file, len) = create_data_file(&path, self.precision, self.sync)
            .map_err(|err| (self.generation, err))?;
        let cut = self.generation;
        self.file = file;
        self.path = path;
        self.len = len;
        self.generation = generation;
        Ok(cut)
    }
}

/// Where the points of a batch in flight are on disk.
#[derive(Debug)]
enum Backing {
    /// A batch file of its own.
    File(PathBuf),
    /// Only in the segment of this generation (its batch file could not be written).
    Segment(u64),
}

/// The spool's files of the batches in the pipeline: the background task's side.
#[derive(Debug)]
pub(crate) struct SpoolFiles {
    dir: PathBuf,
    sync: SpoolSync,
    precision: Precision,
    /// By the pipeline's batch id.
    batches: HashMap<u64, Backing>,
    /// Segments cut but still needed: the batches backed by each alone.
    segments: BTreeMap<u64, usize>,
    /// The generation of the segment writes append to.
    open_generation: u64,
}

/// A lane's part of a cut batch.
#[derive(Debug)]
pub(crate) struct PartFile<'a> {
    pub(crate) lane: usize,
    pub(crate) body: &'a [u8],
    pub(crate) lines: usize,
}

impl SpoolFiles {
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the parts cut from segment `generation` (or from the open segment, when it could
    /// not be rotated: `rotated` false) before they are sent; returns a token per part to
    /// [`track`](Self::track) once it is in the pipeline. Then [`release`](Self::release) the
    /// segment.
    pub(crate) fn persist(
        &mut self,
        generation: u64,
        rotated: bool,
        parts: &[PartFile<'_>],
    ) -> Vec<Option<PathBuf>> {
        if !rotated {
            return vec![None; parts.len()];
        }
        self.open_generation = generation + 1;
        let mut paths = Vec::with_capacity(parts.len());
        for part in parts {
            let path = self.dir.join(batch_name(generation, part.lane));
            match self.write_file(&path, part.body, part.lines) {
                Ok(()) => paths.push(path),
                Err(err) => {
                    tracing::warn!(
                        file = %path.display(),
                        error = %err,
                        "the writer's spool could not write a batch file: its segment is kept until the batch is settled, and after a crash the whole segment is sent again"
                    );
                    for path in &paths {
                        let _ = fs::remove_file(path);
                    }
                    return vec![None; parts.len()];
                }
            }
        }
        if self.sync != SpoolSync::Never
            && let Err(err) = sync_dir(&self.dir)
        {
            tracing::warn!(dir = %self.dir.display(), error = %err, "the writer's spool could not sync its directory");
        }
        paths.into_iter().map(Some).collect()
    }

    /// Records where the batch `id` of segment `generation` is on disk (`path` from
    /// [`persist`](Self::persist)).
    pub(crate) fn track(&mut self, id: u64, generation: u64, path: Option<PathBuf>) {
        let backing = match path {
            Some(path) => Backing::File(path),
            None => {
                *self.segments.entry(generation).or_default() += 1;
                Backing::Segment(generation)
            }
        };
        self.batches.insert(id, backing);
    }

    /// The cut of segment `generation` is in the pipeline (and on disk, or backed by the
    /// segment): the segment goes once no batch needs it and it is no longer the open one.
    pub(crate) fn release(&mut self, generation: u64) {
        let needed = self.segments.get(&generation).copied().unwrap_or(0);
        if needed == 0 && generation != self.open_generation {
            self.segments.remove(&generation);
            // The segment of a generation is named one way or the other.
            self.remove(&self.dir.join(segment_name(generation)));
            self.remove(&self.dir.join(recovered_name(generation)));
        }
    }

    /// The batch `id` was settled in full: its file goes.
    pub(crate) fn settled(&mut self, id: u64) {
        match self.batches.remove(&id) {
            Some(Backing::File(path)) => self.remove(&path),
            Some(Backing::Segment(generation)) => {
                if let Some(needed) = self.segments.get_mut(&generation) {
                    *needed = needed.saturating_sub(1);
                }
                self.release(generation);
            }
            None => {}
        }
    }

    /// The batch `id` was settled in part: `rest` (`lines` lines) replaces its file, so that
    /// what the server acknowledged is not sent again after a crash.
    pub(crate) fn shortened(&mut self, id: u64, rest: &[u8], lines: usize) {
        let Some(Backing::File(path)) = self.batches.get(&id) else {
            return;
        };
        let tmp = path.with_extension("tmp");
        let replaced = self
            .write_file(&tmp, rest, lines)
            .and_then(|()| fs::rename(&tmp, path));
        if let Err(err) = replaced {
            let _ = fs::remove_file(&tmp);
            tracing::warn!(
                file = %path.display(),
                error = %err,
                "the writer's spool could not shorten a batch file: after a crash, its acknowledged points are sent again"
            );
        } else if self.sync == SpoolSync::Always {
            let _ = sync_dir(&self.dir);
        }
    }

    /// Removes every file of the spool but its lock: the points they held were handed back.
    pub(crate) fn clear(&mut self) {
        self.batches.clear();
        self.segments.clear();
        for name in names(&self.dir).unwrap_or_default() {
            if name == LOCK_FILE {
                continue;
            }
            if matches!(
                FileName::parse(&name),
                FileName::Segment(_) | FileName::Recovered(_) | FileName::Batch(..) | FileName::Tmp
            ) {
                self.remove(&self.dir.join(name));
            }
        }
    }

    /// Forgets every batch: their files stay for the next writer on the directory.
    pub(crate) fn keep_all(&mut self) {
        self.batches.clear();
        self.segments.clear();
    }

    fn write_file(&self, path: &Path, body: &[u8], lines: usize) -> io::Result<()> {
        let mut data = file_header(self.precision);
        push_record(&mut data, body, lines)?;
        let mut file = File::create(path)?;
        file.write_all(&data)?;
        if self.sync != SpoolSync::Never {
            file.sync_data()?;
        }
        Ok(())
    }

    fn remove(&self, path: &Path) {
        match fs::remove_file(path) {
            Ok(()) => {
                if self.sync == SpoolSync::Always {
                    let _ = sync_dir(&self.dir);
                }
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => tracing::warn!(
                file = %path.display(),
                error = %err,
                "the writer's spool could not remove a settled file: after a crash, its points are sent again"
            ),
        }
    }
}

/// What a writer found in its spool directory.
#[derive(Debug)]
pub(crate) struct Opened {
    pub(crate) segment: Segment,
    pub(crate) files: SpoolFiles,
    /// The points left by an earlier writer, to be sent first.
    pub(crate) recovered: Vec<u8>,
    pub(crate) recovered_lines: usize,
}

/// Locks the directory `config.dir` (creating it), recovers what an earlier writer left in it,
/// and opens the segment the writer appends to.
pub(crate) fn open(config: &SpoolConfig, precision: Precision) -> Result<Opened> {
    let dir = &config.dir;
    let failed = |what: &str, path: &Path, err: io::Error| {
        Error::new(
            ErrorKind::Spool,
            format!("the writer's spool {what} {} ({err})", path.display()),
        )
        .with_source(err)
    };
    fs::create_dir_all(dir).map_err(|err| failed("cannot create its directory", dir, err))?;
    let lock_path = dir.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|err| failed("cannot open its lock file", &lock_path, err))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(Error::new(
                ErrorKind::SpoolLocked,
                format!(
                    "the spool directory {} is in use by another writer (its lock file is locked): a spool directory serves one writer at a time",
                    dir.display()
                ),
            ));
        }
        Err(TryLockError::Error(err)) => {
            return Err(failed("cannot lock its lock file", &lock_path, err));
        }
    }
    let found = read_dir_for_recovery(dir, precision)
        .map_err(|err| failed("cannot read its directory", dir, err))?;
    let generation = found.next_generation;
    let (name, payload) = if found.lines > 0 {
        (recovered_name(generation), Some(&found.points))
    } else {
        (segment_name(generation), None)
    };
    let path = dir.join(&name);
    let (file, len) = create_segment(dir, &path, precision, config.sync, payload, found.lines)
        .map_err(|err| failed("cannot write", &path, err))?;
    // Only now that the points are in the new segment do the old files go.
    for old in &found.files {
        let _ = fs::remove_file(dir.join(old));
    }
    if found.lines > 0 {
        tracing::info!(
            dir = %dir.display(),
            points = found.lines,
            "a writer found {} points left in its spool: they are sent before any new point",
            found.lines
        );
    }
    Ok(Opened {
        segment: Segment {
            file,
            path,
            generation,
            len,
            dir: dir.clone(),
            sync: config.sync,
            precision,
            scratch: Vec::new(),
            _lock: lock,
        },
        files: SpoolFiles {
            dir: dir.clone(),
            sync: config.sync,
            precision,
            batches: HashMap::new(),
            segments: BTreeMap::new(),
            open_generation: generation,
        },
        recovered: found.points,
        recovered_lines: found.lines,
    })
}

/// Writes the segment `path` (with `payload` as its first record, if any) through a `.tmp`
/// file renamed into place, so that it exists whole or not at all; opens it for appending.
fn create_segment(
    dir: &Path,
    path: &Path,
    precision: Precision,
    sync: SpoolSync,
    payload: Option<&Vec<u8>>,
    lines: usize,
) -> io::Result<(File, u64)> {
    let Some(payload) = payload else {
        return create_data_file(path, precision, sync);
    };
    let tmp = path.with_extension("tmp");
    let mut data = file_header(precision);
    push_record(&mut data, payload, lines)?;
    let mut file = File::create(&tmp)?;
    file.write_all(&data)?;
    if sync != SpoolSync::Never {
        file.sync_data()?;
    }
    drop(file);
    fs::rename(&tmp, path)?;
    if sync != SpoolSync::Never {
        sync_dir(dir)?;
    }
    let file = OpenOptions::new().append(true).open(path)?;
    Ok((file, data.len() as u64))
}

/// Creates an empty data file (its header only), open for appending.
fn create_data_file(path: &Path, precision: Precision, sync: SpoolSync) -> io::Result<(File, u64)> {
    let header = file_header(precision);
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(path)?;
    file.write_all(&header)?;
    if sync == SpoolSync::Always {
        file.sync_data()?;
    }
    // Appends go after the header (the file is written in order, never sought).
    Ok((file, header.len() as u64))
}

/// The points found in a directory, in the order to send them, and the files that held them.
#[derive(Debug, Default)]
struct Found {
    points: Vec<u8>,
    lines: usize,
    /// Every spool file to remove once the points are safe elsewhere.
    files: Vec<String>,
    next_generation: u64,
}

fn read_dir_for_recovery(dir: &Path, precision: Precision) -> io::Result<Found> {
    let mut found = Found::default();
    let mut by_generation: BTreeMap<u64, (Option<String>, BTreeMap<usize, String>)> =
        BTreeMap::new();
    let mut newest_recovered = None;
    for name in names(dir)? {
        match FileName::parse(&name) {
            FileName::Tmp => {
                let _ = fs::remove_file(dir.join(&name));
            }
            FileName::Segment(generation) => {
                by_generation.entry(generation).or_default().0 = Some(name);
            }
            FileName::Recovered(generation) => {
                newest_recovered = newest_recovered.max(Some(generation));
                by_generation.entry(generation).or_default().0 = Some(name);
            }
            FileName::Batch(generation, lane) => {
                by_generation
                    .entry(generation)
                    .or_default()
                    .1
                    .insert(lane, name);
            }
            FileName::Other => {}
        }
    }
    found.next_generation = by_generation.keys().next_back().map_or(0, |last| last + 1);
    for (generation, (segment, batches)) in by_generation {
        let stale = newest_recovered.is_some_and(|newest| generation < newest);
        let readable: Vec<&String> = match (&segment, stale) {
            (_, true) => Vec::new(),
            (Some(segment), false) => vec![segment],
            (None, false) => batches.values().collect(),
        };
        for name in readable {
            let read = read_file(&dir.join(name))?;
            if let Some(theirs) = read.precision
                && theirs != precision
                && read.lines > 0
            {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{name} holds points with timestamps in precision `{theirs}`, and this writer's client writes `{precision}`: open the spool with a client of that precision"
                    ),
                ));
            }
            found.points.extend_from_slice(&read.points);
            found.lines += read.lines;
        }
        found.files.extend(segment);
        found.files.extend(batches.into_values());
    }
    Ok(found)
}

/// The names of the files in `dir` (those that are UTF-8: the spool names no other).
fn names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if let Ok(name) = entry.file_name().into_string() {
            names.push(name);
        }
    }
    Ok(names)
}

/// What a file's name says it is.
#[derive(Debug, PartialEq, Eq)]
enum FileName {
    Segment(u64),
    Recovered(u64),
    Batch(u64, usize),
    Tmp,
    Other,
}

impl FileName {
    fn parse(name: &str) -> FileName {
        let ours = ["segment-", "recovered-", "batch-"]
            .iter()
            .any(|prefix| name.starts_with(prefix));
        if ours && name.ends_with(".tmp") {
            return FileName::Tmp;
        }
        let Some(stem) = name.strip_suffix(".log") else {
            return FileName::Other;
        };
        let number = |text: &str| text.parse::<u64>().ok();
        if let Some(generation) = stem.strip_prefix("segment-").and_then(number) {
            return FileName::Segment(generation);
        }
        if let Some(generation) = stem.strip_prefix("recovered-").and_then(number) {
            return FileName::Recovered(generation);
        }
        if let Some((generation, lane)) = stem
            .strip_prefix("batch-")
            .and_then(|rest| rest.split_once('-'))
            && let (Some(generation), Ok(lane)) = (number(generation), lane.parse::<usize>())
        {
            return FileName::Batch(generation, lane);
        }
        FileName::Other
    }
}

fn segment_name(generation: u64) -> String {
    format!("segment-{generation:020}.log")
}

fn recovered_name(generation: u64) -> String {
    format!("recovered-{generation:020}.log")
}

fn batch_name(generation: u64, lane: usize) -> String {
    format!("batch-{generation:020}-{lane:04}.log")
}

fn file_header(precision: Precision) -> Vec<u8> {
    let mut header = FILE_HEADER_PREFIX.to_vec();
    header.extend_from_slice(precision.as_str().as_bytes());
    header.push(b'\n');
    header
}

/// Appends the record of `payload` (`lines` lines) to `out`.
fn push_record(out: &mut Vec<u8>, payload: &[u8], lines: usize) -> io::Result<()> {
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} bytes in {lines} lines are more than a spool record holds (4 GiB)",
                payload.len()
            ),
        )
    };
    let len = u32::try_from(payload.len()).map_err(|_| too_large())?;
    let lines = u32::try_from(lines).map_err(|_| too_large())?;
    let (len, lines) = (len.to_le_bytes(), lines.to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&len);
    crc.update(&lines);
    crc.update(payload);
    out.reserve(RECORD_HEADER + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&len);
    out.extend_from_slice(&lines);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

/// The points of one data file.
#[derive(Debug, Default, PartialEq, Eq)]
struct Read {
    points: Vec<u8>,
    lines: usize,
    /// `None` for a file that is not the spool's, or empty.
    precision: Option<Precision>,
}

fn read_file(path: &Path) -> io::Result<Read> {
    let data = match fs::read(path) {
        Ok(data) => data,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Read::default()),
        Err(err) => return Err(err),
    };
    Ok(parse_file(&data, &path.display().to_string()))
}

/// Reads the records of a data file named `file`, skipping (with a warning) what does not
/// check out.
fn parse_file(data: &[u8], file: &str) -> Read {
    let mut read = Read::default();
    if data.is_empty() {
        return read;
    }
    let header_end = match memchr::memchr(b'\n', data) {
        Some(end) if data.starts_with(FILE_HEADER_PREFIX) => end,
        None if data.starts_with(FILE_HEADER_PREFIX) || FILE_HEADER_PREFIX.starts_with(data) => {
            // The file was just created when the process died.
            tracing::warn!(
                file,
                bytes = data.len(),
                "skipped a spool file whose header is torn"
            );
            return read;
        }
        _ => {
            tracing::warn!(
                file,
                "left alone a file that is not a spool file of this version"
            );
            return read;
        }
    };
    let precision = std::str::from_utf8(&data[FILE_HEADER_PREFIX.len()..header_end])
        .ok()
        .and_then(|text| text.parse::<Precision>().ok());
    let Some(precision) = precision else {
        tracing::warn!(
            file,
            "left alone a spool file whose header names no precision"
        );
        return read;
    };
    read.precision = Some(precision);
    let mut pos = header_end + 1;
    while pos < data.len() {
        if let Some((payload, lines)) = record_at(data, pos) {
            read.points.extend_from_slice(payload);
            read.lines += lines;
            pos += RECORD_HEADER + payload.len();
            continue;
        }
        let next = memchr::memmem::find(&data[pos + 1..], &MAGIC)
            .map_or(data.len(), |offset| pos + 1 + offset);
        let what = if next == data.len() {
            "a torn or corrupt last record"
        } else {
            "a corrupt record"
        };
        tracing::warn!(
            file,
            offset = pos,
            bytes = next - pos,
            "skipped {what} of the writer's spool: {} bytes at offset {pos} of {file}",
            next - pos
        );
        pos = next;
    }
    read
}

/// The payload and line count of the good record at `pos`, if there is one.
fn record_at(data: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let header = data.get(pos..pos + RECORD_HEADER)?;
    if header[..4] != MAGIC {
        return None;
    }
    let word = |at: usize| {
        u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let (len, lines, crc) = (word(4) as usize, word(8), word(12));
    let payload = data.get(pos + RECORD_HEADER..(pos + RECORD_HEADER).checked_add(len)?)?;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&header[4..12]);
    hasher.update(payload);
    (hasher.finalize() == crc).then_some((payload, lines as usize))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: Precision = Precision::Nanoseconds;

    fn record(payload: &[u8], lines: usize) -> Vec<u8> {
        let mut out = Vec::new();
        push_record(&mut out, payload, lines).unwrap();
        out
    }

    fn file(records: &[(&[u8], usize)]) -> Vec<u8> {
        let mut data = file_header(NS);
        for (payload, lines) in records {
            data.extend_from_slice(&record(payload, *lines));
        }
        data
    }

    fn read(points: &[u8], lines: usize) -> Read {
        Read {
            points: points.to_vec(),
            lines,
            precision: Some(NS),
        }
    }

    const A: &[u8] = b"m,t=a f=1i 1\n";
    const B: &[u8] = b"m,t=b f=2i 2\nm,t=b f=3i 3\n";
    const C: &[u8] = b"m,t=c s=\"\xc3\xa9\" 4\n";

    #[test]
    fn records_read_back_in_order() {
        let data = file(&[(A, 1), (B, 2), (C, 1)]);
        assert_eq!(parse_file(&data, "f"), read(&[A, B, C].concat(), 4));
    }

    #[test]
    fn a_last_record_torn_at_any_byte_is_skipped_alone() {
        let data = file(&[(A, 1), (B, 2), (C, 1)]);
        let last = data.len() - record(C, 1).len();
        for end in last..data.len() {
            assert_eq!(
                parse_file(&data[..end], "f"),
                read(&[A, B].concat(), 3),
                "torn at {end}"
            );
        }
    }

    #[test]
    fn a_corrupt_record_in_the_middle_is_skipped_alone() {
        let clean = file(&[(A, 1), (B, 2), (C, 1)]);
        let second = file_header(NS).len() + record(A, 1).len();
        // A flipped byte anywhere in the second record: its header, its CRC or its payload.
        for at in second..second + record(B, 2).len() {
            let mut data = clean.clone();
            data[at] ^= 0x01;
            assert_eq!(
                parse_file(&data, "f"),
                read(&[A, C].concat(), 2),
                "flipped byte {at}"
            );
        }
    }

    #[test]
    fn garbage_between_records_is_skipped() {
        let mut data = file(&[(A, 1)]);
        data.extend_from_slice(b"garbage");
        data.extend_from_slice(&record(C, 1));
        assert_eq!(parse_file(&data, "f"), read(&[A, C].concat(), 2));
    }

    #[test]
    fn an_empty_file_or_a_torn_header_holds_nothing() {
        let header = file_header(NS);
        for end in 0..header.len() {
            assert_eq!(parse_file(&header[..end], "f"), Read::default(), "{end}");
        }
        assert_eq!(parse_file(&header, "f"), read(b"", 0));
    }

    #[test]
    fn a_file_of_another_kind_is_left_alone() {
        assert_eq!(parse_file(b"hello\nworld", "f"), Read::default());
        let mut data = file(&[(A, 1)]);
        data[FILE_HEADER_PREFIX.len()] = b'x';
        assert_eq!(parse_file(&data, "f"), Read::default());
    }

    #[test]
    fn file_names() {
        assert_eq!(FileName::parse(&segment_name(7)), FileName::Segment(7));
        assert_eq!(FileName::parse(&recovered_name(8)), FileName::Recovered(8));
        assert_eq!(FileName::parse(&batch_name(9, 3)), FileName::Batch(9, 3));
        assert_eq!(
            FileName::parse("batch-00000000000000000009-0003.tmp"),
            FileName::Tmp
        );
        for other in [
            "lock",
            "notes.txt",
            "segment-x.log",
            "batch-1.log",
            "segment-1.tmp.bak",
        ] {
            assert_eq!(FileName::parse(other), FileName::Other, "{other}");
        }
    }

    fn config(dir: &Path) -> SpoolConfig {
        SpoolConfig {
            dir: dir.to_path_buf(),
            sync: SpoolSync::Batch,
        }
    }

    fn write(dir: &Path, name: &str, data: &[u8]) {
        fs::write(dir.join(name), data).unwrap();
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names = names(dir).unwrap();
        names.sort();
        names
    }

    #[test]
    fn a_new_directory_starts_empty_and_unknown_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "notes.txt", b"mine");
        write(dir.path(), "segment-x.log", b"mine too");
        let opened = open(&config(dir.path()), NS).unwrap();
        assert_eq!((opened.recovered_lines, opened.recovered.len()), (0, 0));
        assert_eq!(
            listing(dir.path()),
            ["lock", "notes.txt", &segment_name(0), "segment-x.log"]
        );
    }

    #[test]
    fn a_second_opener_finds_the_directory_locked() {
        let dir = tempfile::tempdir().unwrap();
        let first = open(&config(dir.path()), NS).unwrap();
        let err = open(&config(dir.path()), NS).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SpoolLocked);
        assert!(
            err.message().contains(&dir.path().display().to_string()),
            "{err}"
        );
        drop(first);
        open(&config(dir.path()), NS).unwrap();
    }

    #[test]
    fn recovery_reads_generations_in_order_and_a_segment_wins_over_its_batches() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // Generation 3: cut into two lanes, segment removed: the batch files hold it.
        write(d, &batch_name(3, 1), &file(&[(B, 2)]));
        write(d, &batch_name(3, 0), &file(&[(A, 1)]));
        // Generation 4: its cut did not finish: the segment holds it, the batch file is stale.
        write(d, &segment_name(4), &file(&[(C, 1), (A, 1)]));
        write(d, &batch_name(4, 0), &file(&[(C, 1)]));
        // A replacement that did not finish.
        write(d, "batch-00000000000000000003-0001.tmp", &file(&[(B, 1)]));
        let opened = open(&config(d), NS).unwrap();
        assert_eq!(opened.recovered, [A, B, C, A].concat());
        assert_eq!(opened.recovered_lines, 5);
        assert_eq!(listing(d), ["lock", &recovered_name(5)]);
        drop(opened);
        // A writer that crashed before cutting the recovered points finds them again, once.
        let again = open(&config(d), NS).unwrap();
        assert_eq!(again.recovered, [A, B, C, A].concat());
        assert_eq!(listing(d), ["lock", &recovered_name(6)]);
    }

    #[test]
    fn a_recovered_segment_makes_older_files_stale() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // A writer died after writing recovered-5 and before removing what it copied there.
        write(d, &segment_name(2), &file(&[(B, 2)]));
        write(d, &batch_name(4, 0), &file(&[(B, 2)]));
        write(d, &recovered_name(5), &file(&[(B, 2), (A, 1)]));
        write(d, &segment_name(6), &file(&[(C, 1)]));
        let opened = open(&config(d), NS).unwrap();
        assert_eq!(opened.recovered, [B, A, C].concat());
        assert_eq!(listing(d), ["lock", &recovered_name(7)]);
    }

    #[test]
    fn points_of_another_precision_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &segment_name(0), &file(&[(A, 1)]));
        let err = open(&config(dir.path()), Precision::Seconds).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Spool);
        assert!(err.message().contains("precision `ns`"), "{err}");
        // Nothing was removed.
        assert_eq!(open(&config(dir.path()), NS).unwrap().recovered, A.to_vec());
    }

    #[test]
    fn settled_batches_leave_the_directory_and_the_rest_is_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let Opened {
            mut segment,
            mut files,
            ..
        } = open(&config(d), NS).unwrap();
        segment.append(A, 1).unwrap();
        segment.append(B, 2).unwrap();
        segment.append(C, 1).unwrap();
        // The cut: lane 0 gets A and C, lane 1 gets B.
        let generation = segment.rotate().unwrap();
        let lane0 = [A, C].concat();
        let parts = [
            PartFile {
                lane: 0,
                body: &lane0,
                lines: 2,
            },
            PartFile {
                lane: 1,
                body: B,
                lines: 2,
            },
        ];
        let paths = files.persist(generation, true, &parts);
        for (id, path) in paths.into_iter().enumerate() {
            files.track(id as u64, generation, path);
        }
        files.release(generation);
        assert_eq!(
            listing(d),
            [
                &batch_name(0, 0),
                &batch_name(0, 1),
                "lock",
                &segment_name(1)
            ]
        );
        segment.append(A, 1).unwrap();
        // Lane 0's first line was stored; lane 1 all of it.
        files.shortened(0, C, 1);
        files.settled(1);
        assert_eq!(listing(d), [&batch_name(0, 0), "lock", &segment_name(1)]);
        drop((segment, files));
        let opened = open(&config(d), NS).unwrap();
        assert_eq!(opened.recovered, [C, A].concat());
        assert_eq!(opened.recovered_lines, 2);
    }

    #[test]
    fn a_failed_rotation_keeps_the_segment_until_its_batches_settle() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let Opened {
            mut segment,
            mut files,
            ..
        } = open(&config(d), NS).unwrap();
        segment.append(A, 1).unwrap();
        // As when the segment could not be rotated: the cut is backed by the open segment.
        let parts = [PartFile {
            lane: 0,
            body: A,
            lines: 1,
        }];
        let paths = files.persist(0, false, &parts);
        assert_eq!(paths, [None]);
        files.track(0, 0, None);
        files.release(0);
        assert_eq!(listing(d), ["lock", &segment_name(0)]);
        segment.append(B, 2).unwrap();
        // The next cut rotates: its batch gets a file, the old segment stays for batch 0.
        let generation = segment.rotate().unwrap();
        let paths = files.persist(
            generation,
            true,
            &[PartFile {
                lane: 0,
                body: B,
                lines: 2,
            }],
        );
        files.track(1, generation, paths.into_iter().next().unwrap());
        files.release(generation);
        assert_eq!(
            listing(d),
            [
                &batch_name(0, 0),
                "lock",
                &segment_name(0),
                &segment_name(1)
            ]
        );
        files.settled(0);
        assert_eq!(listing(d), [&batch_name(0, 0), "lock", &segment_name(1)]);
        files.clear();
        assert_eq!(listing(d), ["lock"]);
    }

    #[test]
    fn an_append_that_fails_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let Opened { mut segment, .. } = open(&config(dir.path()), NS).unwrap();
        segment.append(A, 1).unwrap();
        // A file that takes no writes, as a full disk would.
        segment.file = File::open(&segment.path).unwrap();
        let err = segment.append(B, 2).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Spool);
        assert!(
            err.message().contains(&segment.path.display().to_string()),
            "{err}"
        );
        assert_eq!(
            parse_file(&fs::read(&segment.path).unwrap(), "f"),
            read(A, 1)
        );
    }
}
