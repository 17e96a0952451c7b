/**
 * Samples a process's resident memory and CPU time from /proc while a benchmark runs.
 */
import { readFileSync } from "node:fs";
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

function cpuSeconds(pid: number): number {
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
