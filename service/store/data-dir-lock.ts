/**
 * One writer per data dir: an exclusive lock file, `<dataDir>/lock`, holding the holder's pid,
 * host and start time.
 *
 * - Created with `link(2)` from a fully written temp file, so the lock appears atomically and
 *   never half-written.
 * - A lock whose holder is on this host and no longer runs (no such pid, or the pid now belongs
 *   to a process started at another time) is stale and taken over. The take-over runs under a
 *   short-lived guard file so two starters cannot both take over the same stale lock.
 * - A lock held from another host is never taken over: its process cannot be checked from here
 *   (a shared volume), so the error names that host and says how to clear it.
 */
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

/** What the lock file says about its holder. */
export interface LockHolder {
    pid: number;
    host: string;
    /** The holder's start time in clock ticks since boot (Linux `/proc/<pid>/stat`), when known. */
    startTicks?: number;
    /** ISO time the lock was taken. */
    since: string;
    /** What took it (`mla serve`, `mla preview-fleet`). */
    purpose: string;
}

/** Thrown when another live process (or another host) holds the data dir. */
export class DataDirLockedError extends Error {
    constructor(
        readonly dataDir: string,
        readonly holder: LockHolder,
    ) {
        const where =
            holder.host === hostname()
                ? `pid ${holder.pid} on this host (${holder.host})`
                : `pid ${holder.pid} on host ${holder.host}`;
        const fix =
            holder.host === hostname()
                ? "stop that process first, or use another data dir"
                : `this host cannot check that process; stop it on ${holder.host}, or remove ${join(dataDir, "lock")} if that host is gone`;
        super(`data dir ${dataDir} is locked by ${holder.purpose} (${where}, since ${holder.since}); ${fix}`);
        this.name = "DataDirLockedError";
    }
}

/** A process's start time in clock ticks since boot, or undefined off Linux. */
export function processStartTicks(pid: number): number | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // Field 22; the command name (field 2) may hold spaces, so count from its closing paren.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ticks = Number(fields[19]);
        return Number.isFinite(ticks) ? ticks : undefined;
    } catch {
        return undefined;
    }
}

/** Whether the process described by `holder` (on this host) still runs. */
function holderAlive(holder: LockHolder): boolean {
    try {
        process.kill(holder.pid, 0);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    }
    // The pid exists (or belongs to another user: EPERM). A pid reused by a newer process is not the holder.
    const ticks = processStartTicks(holder.pid);
    return holder.startTicks === undefined || ticks === undefined || ticks === holder.startTicks;
}

function readHolder(path: string): LockHolder | undefined {
    try {
        const parsed = JSON.parse(readFileSync(path, "utf8")) as LockHolder;
        return typeof parsed.pid === "number" && typeof parsed.host === "string" ? parsed : undefined;
    } catch {
        return undefined;
    }
}

const GUARD_STALE_MS = 10_000;

/** Holds `<dataDir>/lock` until {@link DataDirLock.release}. */
export class DataDirLock {
    private released = false;

    private constructor(
        readonly path: string,
        readonly holder: LockHolder,
    ) {}

    /**
     * Takes the lock or throws {@link DataDirLockedError} naming the holder. `purpose` is shown
     * to whoever is refused.
     */
    static acquire(dataDir: string, purpose: string): DataDirLock {
        const path = join(dataDir, "lock");
        const holder: LockHolder = {
            pid: process.pid,
            host: hostname(),
            startTicks: processStartTicks(process.pid),
            since: new Date().toISOString(),
            purpose,
        };
        const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
        writeFileSync(tmp, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
        try {
            for (let attempt = 0; attempt < 20; attempt++) {
                try {
                    linkSync(tmp, path);
                    return new DataDirLock(path, holder);
                } catch (e) {
                    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
                }
                const current = readHolder(path);
                if (current && (current.host !== holder.host || holderAlive(current)))
                    throw new DataDirLockedError(dataDir, current);
                DataDirLock.takeOver(path, current);
            }
            throw new Error(`could not take the lock ${path}: it keeps changing hands`);
        } finally {
            unlinkSync(tmp);
        }
    }

    /** Removes a stale (or unreadable) lock under the guard, if it is still the one judged stale. */
    private static takeOver(path: string, stale: LockHolder | undefined): void {
        const guard = `${path}.takeover`;
        let fd: number;
        try {
            fd = openSync(guard, "wx", 0o600);
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
            // Another starter is taking over; a guard left by a crash mid-take-over expires.
            const stat = statSync(guard, { throwIfNoEntry: false });
            if (stat && Date.now() - stat.mtimeMs > GUARD_STALE_MS) unlinkSync(guard);
            else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // let the other starter finish
            return;
        }
        try {
            const now = readHolder(path);
            if (stale === undefined) {
                // Unreadable: a lock file is written whole before it is linked, so this is damage, not a writer mid-way.
                if (now === undefined) unlinkSync(path);
            } else if (now && now.pid === stale.pid && now.host === stale.host && now.since === stale.since) {
                unlinkSync(path);
            }
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        } finally {
            closeSync(fd);
            unlinkSync(guard);
        }
    }

    /** Releases the lock if this process still holds it. Safe to call twice. */
    release(): void {
        if (this.released) return;
        this.released = true;
        const now = readHolder(this.path);
        if (now && now.pid === this.holder.pid && now.since === this.holder.since) unlinkSync(this.path);
    }
}
