/** Small files (keys, tokens) written atomically and durably. */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
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
