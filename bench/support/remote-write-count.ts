/**
 * Counts the samples in a Prometheus remote-write body (snappy block format around a protobuf
 * `WriteRequest`), so a benchmark sink can say how many samples each agent actually delivered.
 * Only what counting needs: snappy decompression and walking protobuf fields.
 */

function varint(buf: Uint8Array, pos: number): [number, number] {
    let result = 0;
    let shift = 0;
    for (;;) {
        const b = buf[pos++];
        result += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) return [result, pos];
        shift += 7;
    }
}

/** Decompresses one snappy block (the format remote write uses, not the framed stream). */
export function snappyDecode(src: Uint8Array): Uint8Array {
    const [length, start] = varint(src, 0);
    let pos = start;
    const out = new Uint8Array(length);
    let o = 0;
    while (pos < src.length) {
        const tag = src[pos++];
        const type = tag & 3;
        if (type === 0) {
            let len = (tag >> 2) + 1;
            if (len > 60) {
                const bytes = len - 60;
                len = 0;
                for (let i = 0; i < bytes; i++) len |= src[pos++] << (8 * i);
                len += 1;
            }
            out.set(src.subarray(pos, pos + len), o);
            pos += len;
            o += len;
            continue;
        }
        let len: number;
        let offset: number;
        if (type === 1) {
            len = ((tag >> 2) & 7) + 4;
            offset = ((tag >> 5) << 8) | src[pos++];
        } else if (type === 2) {
            len = (tag >> 2) + 1;
            offset = src[pos] | (src[pos + 1] << 8);
            pos += 2;
        } else {
            len = (tag >> 2) + 1;
            offset = (src[pos] | (src[pos + 1] << 8) | (src[pos + 2] << 16) | (src[pos + 3] << 24)) >>> 0;
            pos += 4;
        }
        for (let i = 0; i < len; i++, o++) out[o] = out[o - offset];
    }
    if (o !== length) throw new Error(`snappy: decoded ${o} bytes, header says ${length}`);
    return out;
}

/** Calls `fn(field, start, end)` for each length-delimited field of a protobuf message; skips the rest. */
function fields(buf: Uint8Array, start: number, end: number, fn: (field: number, s: number, e: number) => void): void {
    let pos = start;
    while (pos < end) {
        let key: number;
        [key, pos] = varint(buf, pos);
        const field = Math.floor(key / 8);
        const wire = key & 7;
        if (wire === 0) [, pos] = varint(buf, pos);
        else if (wire === 1) pos += 8;
        else if (wire === 5) pos += 4;
        else if (wire === 2) {
            let len: number;
            [len, pos] = varint(buf, pos);
            fn(field, pos, pos + len);
            pos += len;
        } else throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
}

/** Series and samples in one remote-write body. */
export function countRemoteWrite(body: Uint8Array): { series: number; samples: number } {
    const msg = snappyDecode(body);
    let series = 0;
    let samples = 0;
    // WriteRequest.timeseries = 1; TimeSeries.samples = 2.
    fields(msg, 0, msg.length, (f, s, e) => {
        if (f !== 1) return;
        series++;
        fields(msg, s, e, (g) => {
            if (g === 2) samples++;
        });
    });
    return { series, samples };
}
