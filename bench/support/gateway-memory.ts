/**
 * Memory figures for `npm run bench:gateway`: how much a gateway holds, read the way the kubelet
 * reads a container (its memory cgroup's working set) beside the per-process figures, and what
 * many idle agent connections add and leave behind once they close.
 */
import { spawn } from "node:child_process";
import {
    type CgroupMemory,
    cgroupMemory,
    groupChargedBytes,
    groupMappedFileBytes,
    groupRssBytes,
} from "./proc-sampler";

const MIB = 1024 ** 2;

/** One reading of a gateway's memory. */
export interface MemorySample {
    /** VmRSS of its processes summed. */
    rss: number;
    /** RssAnon summed plus file and shmem pages once (an estimate of a cgroup's charge). */
    charged: number;
    /** The largest RssFile + RssShmem: the binary, libraries and zones, once. */
    mappedFiles: number;
    /** Its own memory cgroup, where the bench could make one. */
    cgroup?: CgroupMemory;
}

/** Reads the memory of the process group `pid` (and of its cgroup, if any). */
export function memorySample(pid: number, memoryCgroup?: string): MemorySample {
    return {
        rss: groupRssBytes(pid),
        charged: groupChargedBytes(pid),
        mappedFiles: groupMappedFileBytes(pid),
        cgroup: memoryCgroup ? cgroupMemory(memoryCgroup) : undefined,
    };
}

const mib = (bytes: number | undefined) => (bytes === undefined ? "-" : (bytes / MIB).toFixed(1));

/**
 * Memory per gateway, idle after start and after load. The working set (the gateway's memory
 * cgroup, usage minus inactive file pages) is the kubelet's figure, which limits, evictions and
 * `kubectl top` use; summed RSS counts the libraries master and worker share once per process.
 */
export function printMemory(options: {
    gateways: { name: string }[];
    idle: Record<string, MemorySample>;
    after: Record<string, MemorySample>;
    nameWidth: number;
}): void {
    const { gateways, idle, after, nameWidth: NAME_WIDTH } = options;
    console.log("\nmemory per gateway, MiB, idle after start / after load (idle again):");
    console.log("  working set = its memory cgroup's usage minus inactive file pages (the kubelet's figure); the");
    console.log("    libraries are charged to whoever read them first, here an earlier nginx, so they are not in it");
    console.log("  anon = the cgroup's anonymous memory; first on node = anon + the mapped binary, libraries and");
    console.log("    zones once (largest RssFile + RssShmem): the working set of a pod that reads its libraries first");
    console.log("  RSS = VmRSS of all its processes summed; charged = their RssAnon + file/shmem pages once");
    console.log(
        `${"peer".padEnd(NAME_WIDTH)} | working set   | anon          | first on node | summed RSS    | charged`,
    );
    const pair = (f: (m: MemorySample) => number | undefined, name: string) => {
        const [i, a] = [f(idle[name]), f(after[name])];
        return (i === undefined || a === undefined ? "-" : `${(i / MIB).toFixed(1)} / ${(a / MIB).toFixed(1)}`).padEnd(
            13,
        );
    };
    for (const { name } of gateways) {
        console.log(
            `${name.padEnd(NAME_WIDTH)} | ${pair((m) => m.cgroup?.workingSetBytes, name)} | ${pair((m) => m.cgroup?.anonBytes, name)} | ` +
                `${pair((m) => (m.cgroup ? m.cgroup.anonBytes + m.mappedFiles : undefined), name)} | ${pair((m) => m.rss, name)} | ${pair((m) => m.charged, name)}`,
        );
    }
}

/** A gateway to hold idle connections against. */
export interface IdlePeer {
    name: string;
    port: number;
    sample(): MemorySample;
}

/**
 * Many idle agents: `connections` kept-alive mTLS connections, one push each, held open, then
 * closed. Prints, per peer, the working set and summed RSS before, with them open and after they
 * closed, and what one idle connection costs.
 */
export async function idleConnections(options: {
    loadgen: string;
    cpu: string;
    peers: IdlePeer[];
    clientArgs: string[];
    connections: number;
    bytes: number;
    nameWidth: number;
}): Promise<void> {
    const { connections, nameWidth } = options;
    console.log(
        `\n${connections} idle agent connections (one ${options.bytes} B push each, kept alive), then closed; MiB`,
    );
    console.log(
        `${"peer".padEnd(nameWidth)} | open | working set before / open / closed | summed RSS before / open / closed | KiB per idle connection (working set)`,
    );
    for (const peer of options.peers) {
        const before = peer.sample();
        const child = spawn(
            "taskset",
            [
                "-c",
                options.cpu,
                options.loadgen,
                "idle",
                "127.0.0.1",
                String(peer.port),
                "/api/v1/push",
                ...options.clientArgs,
                String(connections),
                String(options.bytes),
            ],
            { stdio: ["pipe", "pipe", "inherit"] },
        );
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        const line = await new Promise<string>((resolve) => {
            let out = "";
            child.stdout.on("data", (d) => {
                out += String(d);
                if (out.includes("\n")) resolve(out.trim());
            });
            child.once("exit", () => resolve(out.trim()));
        });
        const opened = JSON.parse(line || '{"open":0,"errors":0}') as { open: number; errors: number };
        await new Promise((r) => setTimeout(r, 500));
        const open = peer.sample();
        child.stdin.end();
        await exited;
        await new Promise((r) => setTimeout(r, 1500));
        const closed = peer.sample();
        const ws = (m: MemorySample) => m.cgroup?.workingSetBytes;
        const perConnection =
            ws(open) !== undefined && ws(before) !== undefined && opened.open > 0
                ? (((ws(open) as number) - (ws(before) as number)) / opened.open / 1024).toFixed(1)
                : "-";
        const ws3 = [before, open, closed].map((m) => mib(ws(m))).join(" / ");
        const rss3 = [before, open, closed].map((m) => mib(m.rss)).join(" / ");
        const failed = opened.errors > 0 ? ` (${opened.errors} failed)` : "";
        console.log(
            `${peer.name.padEnd(nameWidth)} | ${String(opened.open).padEnd(4)} | ${ws3.padEnd(34)} | ${rss3.padEnd(33)} | ${perConnection}${failed}`,
        );
    }
}
