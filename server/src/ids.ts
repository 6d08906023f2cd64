// Time-ordered ids (ledger transfers, inbox notices): UUID version 7 (RFC 9562) — 48 bits of Unix milliseconds, then random bits.
//
// Why not random (v4) ids: every transfer adds its id to the primary key and to the entries'
// transfer index. Random keys land on random pages of those B-trees, so each insert dirties
// another page (and, after a checkpoint, writes a full copy of it to the WAL). Time-ordered
// keys land on the rightmost pages, which stay in memory and are written once for many rows.
// The id stays unguessable enough for its job (74 random bits) and is still a valid uuid.
import { randomFillSync } from "node:crypto";

// Random bits are drawn from a pool refilled 4 KiB at a time: one system call per 256 ids rather
// than two per id (a payment batch makes hundreds of ids at once).
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function random(n: number): Buffer {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = Buffer.from(pool.subarray(poolAt, poolAt + n));
  poolAt += n;
  return out;
}

let lastMs = 0;
let counter = 0;

/**
 * A new UUIDv7. Within one millisecond the ids of this process keep increasing (a 12-bit
 * counter in place of rand_a, as RFC 9562 §6.2 method 1 allows), so a batch's transfers sort in
 * the order they were made.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = random(2).readUInt16BE(0) & 0x3ff; // start low, leave room to count up
  } else {
    counter++;
    if (counter > 0xfff) {
      // 4,096 ids in one millisecond: borrow the next millisecond rather than repeat.
      lastMs++;
      counter = 0;
    }
  }
  const b = random(16);
  const ms = lastMs;
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((counter >>> 8) & 0x0f); // version 7
  b[7] = counter & 0xff;
  b[8] = 0x80 | ((b[8] as number) & 0x3f); // variant 10
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
