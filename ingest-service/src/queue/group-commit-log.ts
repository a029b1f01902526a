import { crc32 } from 'node:zlib';
import { mkdir, open, readdir, readFile, rename, rm, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** One record read back from the log: its payload and the log offset just past it. */
export interface LogRecord {
  payload: Buffer;
  endOffset: number;
}

export interface GroupCommitLogOptions {
  dir: string;
  /** Start a new segment file once the active one reaches this size. */
  segmentBytes?: number;
}

/** Bytes the log writes before each payload: u32 payload length + u32 crc32(payload). */
export const LOG_RECORD_HEADER_BYTES = 8;
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

interface Waiter {
  buffers: Buffer[];
  bytes: number;
  resolve: (endOffsets: number[]) => void;
  reject: (err: Error) => void;
}

/**
 * An append-only, fsync'd log with group commit: appends that arrive while a write+fdatasync is in
 * flight are gathered and written together by the next one, so many concurrent requests share one
 * fsync. `append` resolves only once the records are on disk; that is what makes the HTTP 2xx mean
 * "durable". Offsets are logical byte positions across segment files (a segment is named by the
 * offset of its first byte), so a checkpoint is one number.
 */
export class GroupCommitLog {
  private waiting: Waiter[] = [];
  private flushing = false;
  private closed = false;
  private failure: Error | null = null;

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    private active: FileHandle,
    private activeStart: number,
    private endOffset: number,
    private committedOffset: number,
  ) {}

  /**
   * Opens (or creates) the log in `dir` and returns it with every record written after the last
   * checkpoint, for replay. A torn record at the tail (a crash mid-write, so never acknowledged) is
   * cut off.
   */
  static async open(options: GroupCommitLogOptions): Promise<{ log: GroupCommitLog; unconsumed: LogRecord[] }> {
    const dir = options.dir;
    await mkdir(dir, { recursive: true });
    const committed = await readCheckpoint(dir);
    const segments = await listSegments(dir);
    const unconsumed: LogRecord[] = [];
    let end = committed;
    for (let i = 0; i < segments.length; i++) {
      const start = segments[i]!;
      const file = segmentPath(dir, start);
      const data = await readFile(file);
      let pos = 0;
      while (pos + LOG_RECORD_HEADER_BYTES <= data.length) {
        const len = data.readUInt32LE(pos);
        const sum = data.readUInt32LE(pos + 4);
        if (len > MAX_RECORD_BYTES || pos + LOG_RECORD_HEADER_BYTES + len > data.length) break;
        const payload = data.subarray(pos + LOG_RECORD_HEADER_BYTES, pos + LOG_RECORD_HEADER_BYTES + len);
        if (crc32(payload) !== sum) break;
        pos += LOG_RECORD_HEADER_BYTES + len;
        if (start + pos > committed) unconsumed.push({ payload: Buffer.from(payload), endOffset: start + pos });
      }
      if (pos < data.length) {
        // Only the last segment can have a torn tail; an earlier one means damage we must not hide.
        if (i !== segments.length - 1) throw new Error(`queue segment ${file} is damaged at byte ${pos}`);
        await truncate(file, pos);
      }
      end = Math.max(end, start + pos);
    }
    let activeStart = segments.length > 0 ? segments[segments.length - 1]! : end;
    if (segments.length === 0) await writeFile(segmentPath(dir, activeStart), '');
    const active = await open(segmentPath(dir, activeStart), 'a');
    await fsyncDir(dir);
    const log = new GroupCommitLog(dir, options.segmentBytes ?? 64 * 1024 * 1024, active, activeStart, end, committed);
    return { log, unconsumed };
  }

  /** Appends the payloads as records; resolves with each record's end offset once they are on disk. */
  append(payloads: Buffer[]): Promise<number[]> {
    if (this.closed) return Promise.reject(new Error('queue log is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const buffers: Buffer[] = [];
    let bytes = 0;
    for (const p of payloads) {
      const header = Buffer.allocUnsafe(LOG_RECORD_HEADER_BYTES);
      header.writeUInt32LE(p.length, 0);
      header.writeUInt32LE(crc32(p), 4);
      buffers.push(header, p);
      bytes += LOG_RECORD_HEADER_BYTES + p.length;
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ buffers, bytes, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      try {
        // writev: the group's buffers go to the kernel as they are, without copying them into one.
        const buffers = group.flatMap((w) => w.buffers);
        const total = group.reduce((n, w) => n + w.bytes, 0);
        const { bytesWritten: written } = await this.active.writev(buffers);
        if (written < total) {
          const rest = Buffer.concat(buffers).subarray(written);
          for (let done = 0; done < rest.length; ) {
            const { bytesWritten } = await this.active.write(rest, done, rest.length - done);
            done += bytesWritten;
          }
        }
        await this.active.datasync();
        let offset = this.endOffset;
        for (const w of group) {
          const ends: number[] = [];
          for (let i = 1; i < w.buffers.length; i += 2) {
            offset += LOG_RECORD_HEADER_BYTES + w.buffers[i]!.length;
            ends.push(offset);
          }
          w.resolve(ends);
        }
        this.endOffset = offset;
        if (this.endOffset - this.activeStart >= this.segmentBytes) await this.roll();
      } catch (err) {
        // A failed write leaves the file in an unknown state: refuse further appends rather than
        // acknowledge records that a replay might not find. A restart repairs the tail.
        this.failure = err instanceof Error ? err : new Error(String(err));
        for (const w of group) w.reject(this.failure);
        for (const w of this.waiting.splice(0)) w.reject(this.failure);
      }
    }
    this.flushing = false;
  }

  private async roll(): Promise<void> {
    await this.active.close();
    this.activeStart = this.endOffset;
    this.active = await open(segmentPath(this.dir, this.activeStart), 'a');
    await fsyncDir(this.dir);
    await this.deleteConsumedSegments();
  }

  /** Records that everything up to `offset` has been consumed (loaded); older segments are removed. */
  async commit(offset: number): Promise<void> {
    if (offset <= this.committedOffset) return;
    this.committedOffset = offset;
    const tmp = path.join(this.dir, 'checkpoint.json.tmp');
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify({ committed: offset }));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path.join(this.dir, 'checkpoint.json'));
    await this.deleteConsumedSegments();
  }

  private async deleteConsumedSegments(): Promise<void> {
    const segments = await listSegments(this.dir);
    for (let i = 0; i < segments.length - 1; i++) {
      const next = segments[i + 1]!;
      if (next <= this.committedOffset && segments[i] !== this.activeStart) {
        await rm(segmentPath(this.dir, segments[i]!), { force: true });
      }
    }
  }

  /** Bytes appended but not yet committed as consumed. */
  get lag(): number {
    return this.endOffset - this.committedOffset;
  }

  get healthy(): boolean {
    return !this.closed && this.failure === null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing || this.waiting.length > 0) await new Promise((r) => setTimeout(r, 1));
    this.closed = true;
    await this.active.close();
  }
}

function segmentPath(dir: string, start: number): string {
  return path.join(dir, `${String(start).padStart(20, '0')}.log`);
}

async function listSegments(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => /^\d{20}\.log$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
}

async function readCheckpoint(dir: string): Promise<number> {
  try {
    const raw = JSON.parse(await readFile(path.join(dir, 'checkpoint.json'), 'utf8')) as { committed?: unknown };
    return typeof raw.committed === 'number' ? raw.committed : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
