/** Small files (keys, tokens, project records) written atomically and durably. */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";

/** fsyncs a directory, so a rename or unlink inside it survives a crash. */
export function fsyncDir(dir: string): void {
    const fd = openSync(dir, "r");
    try {
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
}

/** Writes `text` to `path` atomically (temp file, fsync, rename) and durably (directory fsync). */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w", mode);
    try {
        writeSync(fd, text);
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
    renameSync(tmp, path);
    fsyncDir(dirname(path));
}

/** {@link writeFileAtomic} off the event loop: resolves once the file and its directory are fsynced. */
export async function writeFileAtomicAsync(path: string, text: string, mode = 0o600): Promise<void> {
    const tmp = `${path}.${process.pid}.tmp`;
    const file = await open(tmp, "w", mode);
    try {
        await file.writeFile(text);
        await file.sync();
    } finally {
        await file.close();
    }
    await rename(tmp, path);
    const dir = await open(dirname(path), "r");
    try {
        await dir.sync();
    } finally {
        await dir.close();
    }
}
