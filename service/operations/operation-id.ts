/**
 * Operation ids: UUID version 7 (RFC 9562), ordered by creation.
 *
 * The registry keys operations and their events by operation id. Random (version 4) ids put every
 * new row on a random page of each table, so a commit of one burst's operations rewrote hundreds
 * of pages; ids in creation order land on the last page or two, and so do their events. A wave
 * of 100 accepted onboardings then wrote 81–93 pages instead of 266–289, its commit took about
 * 2 ms instead of 4–6 by the writer's own timing, and 0.67–0.78 of the time through the whole
 * registry (`npm run bench:registry`; bench/RESULTS.md).
 *
 * Layout (RFC 9562 §5.7, with the counter of §6.2 method 1): 48 bits of Unix time in ms, the
 * version, a 12-bit counter that keeps ids from one process strictly increasing within a
 * millisecond (it starts at a random value in its lower half each millisecond; when it runs out
 * the time moves on by one), the variant and 62 random bits. An id stays as hard to guess as the
 * token-protected API needs it to be, and reveals only its creation time, which the operation
 * record shows anyway.
 */
import { randomFillSync } from "node:crypto";

/** Random bytes per id: 2 seed the counter, 2 hold 14 bits beside the variant, 6 are the last 48 bits. */
const ID_RANDOM = 10;

/** Makes strictly increasing version-7 UUIDs from `now` (ms); the clock may stall or go back. */
export function operationIdGenerator(now: () => number = Date.now): () => string {
    const pool = Buffer.alloc(ID_RANDOM * 256);
    let used = pool.length;
    let lastMs = -1;
    let counter = 0;
    const random = (): Buffer => {
        if (used === pool.length) {
            randomFillSync(pool);
            used = 0;
        }
        used += ID_RANDOM;
        return pool.subarray(used - ID_RANDOM, used);
    };
    const id = Buffer.alloc(16);
    return () => {
        const r = random();
        const t = now();
        if (t > lastMs) {
            lastMs = t;
            counter = r.readUInt16BE(0) & 0x7ff;
        } else if (++counter > 0xfff) {
            lastMs++;
            counter = r.readUInt16BE(0) & 0x7ff;
        }
        id.writeUIntBE(lastMs, 0, 6);
        id.writeUInt16BE(0x7000 | counter, 6);
        id.writeUInt16BE(0x8000 | (r.readUInt16BE(2) & 0x3fff), 8);
        r.copy(id, 10, 4, 10);
        const hex = id.toString("hex");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
}

/** The service's operation ids. */
export const newOperationId = operationIdGenerator();
