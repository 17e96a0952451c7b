/**
 * Samples a process's resident memory and CPU time from /proc while a benchmark runs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** Clock ticks per second for /proc/<pid>/stat times. */
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** What one process used over the sampled window. */
export interface ProcUsage {
    /** Mean resident set size over the samples, bytes. */
    meanRssBytes: number;
    /** Peak resident set size seen, bytes. */
    peakRssBytes: number;
    /** CPU seconds (user + system) spent between the first and last sample. */
    cpuSeconds: number;
    samples: number;
}

function rssBytes(pid: number): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
}

/** CPU seconds (utime + stime) of one process, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Starts sampling `pid` every `intervalMs`; `stop()` returns the usage. */
export function sampleProcess(pid: number, intervalMs = 500): { stop(): ProcUsage } {
    const rss: number[] = [];
    const cpuStart = cpuSeconds(pid);
    let cpuLast = cpuStart;
    const timer = setInterval(() => {
        try {
            rss.push(rssBytes(pid));
            cpuLast = cpuSeconds(pid);
        } catch {
            // The process has exited; keep what was sampled.
        }
    }, intervalMs);
    return {
        stop(): ProcUsage {
            clearInterval(timer);
            const mean = rss.length > 0 ? rss.reduce((a, b) => a + b, 0) / rss.length : 0;
            return {
                meanRssBytes: mean,
                peakRssBytes: rss.length > 0 ? Math.max(...rss) : 0,
                cpuSeconds: cpuLast - cpuStart,
                samples: rss.length,
            };
        },
    };
}

/** `pid` and its direct children (an nginx master and its workers). */
export function processGroup(pid: number): number[] {
    const pids = [pid];
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            if (ppid === pid) pids.push(Number(entry));
        } catch {
            // Gone between the listing and the read.
        }
    }
    return pids;
}

/** CPU seconds (utime + stime) of `pid` and its direct children, from /proc/<pid>/stat. */
export function groupCpuSeconds(pid: number): number {
    return processGroup(pid).reduce((sum, p) => {
        try {
            return sum + cpuSeconds(p);
        } catch {
            return sum;
        }
    }, 0);
}

/**
 * Resident memory of `pid` and its direct children, summed (VmRSS). Pages the processes share
 * (the binary, libraries, nginx's shared zones) count once per process, so this overstates a
 * multi-process group slightly; it is what the numbers in bench/RESULTS.md mean by RSS.
 */
export function groupRssBytes(pid: number): number {
    return processGroup(pid).reduce((sum, p) => {
        try {
            return sum + rssBytes(p);
        } catch {
            return sum;
        }
    }, 0);
}

/**
 * An estimate of what a container's memory cgroup would charge for the group: private memory of
 * every process (RssAnon) plus file-backed and shared pages once (the largest RssFile and
 * RssShmem among them), since the workers map the same binary, libraries and zones as the master.
 */
export function groupChargedBytes(pid: number): number {
    let anon = 0;
    for (const p of processGroup(pid)) anon += statusBytes(p, "RssAnon");
    return anon + groupMappedFileBytes(pid);
}

/** A `kB` field of /proc/<pid>/status in bytes; 0 when the process is gone. */
function statusBytes(pid: number, field: string): number {
    try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    } catch {
        return 0; // gone between the listing and the read
    }
}

/**
 * The file-backed and shared pages mapped by `pid` and its children, counted once (the largest
 * RssFile plus the largest RssShmem): the binary, the libraries and nginx's zones. A memory cgroup
 * charges library pages to whichever group read them first, so a gateway started after another
 * nginx on the same machine (or pod on the same node) is not charged for them; adding these to the
 * group's anonymous memory gives what it would be charged as the first.
 */
export function groupMappedFileBytes(pid: number): number {
    let file = 0;
    let shmem = 0;
    for (const p of processGroup(pid)) {
        file = Math.max(file, statusBytes(p, "RssFile"));
        shmem = Math.max(shmem, statusBytes(p, "RssShmem"));
    }
    return file + shmem;
}

/** A memory cgroup's own figures, as the kubelet reads a container's (cgroup v1). */
export interface CgroupMemory {
    /** `memory.usage_in_bytes`: everything charged to the group, page cache and kernel memory included. */
    usageBytes: number;
    /** Usage minus inactive file pages: the kubelet's working set, which evictions and `kubectl top` use. */
    workingSetBytes: number;
    /** Anonymous memory (heap, stacks) charged to the group. */
    anonBytes: number;
    /** Page cache charged to the group (only pages it was first to read: shared libraries already cached elsewhere are not). */
    fileBytes: number;
}

/** Reads a v1 memory cgroup's usage and working set; undefined when it cannot be read. */
export function cgroupMemory(path: string): CgroupMemory | undefined {
    try {
        const usageBytes = Number(readFileSync(`${path}/memory.usage_in_bytes`, "utf8").trim());
        const stat = readFileSync(`${path}/memory.stat`, "utf8");
        const field = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(stat)?.[1] ?? 0);
        return {
            usageBytes,
            workingSetBytes: Math.max(0, usageBytes - field("total_inactive_file")),
            anonBytes: field("total_rss"),
            fileBytes: field("total_cache"),
        };
    } catch {
        return undefined;
    }
}
