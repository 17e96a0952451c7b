/**
 * The handshake storm of `npm run bench:gateway`: 1,000 agents reconnecting at once, i.e. full
 * mTLS handshakes (ECDSA P-256, no resumption) all started together, each followed by one tiny
 * request so the client certificate has been verified. Gateway CPU per new connection comes from
 * /proc; handshakes per second are bounded by the generator's own CPU (it does a full handshake
 * too), so CPU per connection is the comparable figure. Peak and after-storm memory as well.
 */
import type { MemorySample } from "./gateway-memory";
import { runLoadgen } from "./pinned";
import { groupCpuSeconds } from "./proc-sampler";
import { fmt, stats } from "./stats";

const MIB = 1024 ** 2;

/** A gateway to storm. */
export interface StormPeer {
    name: string;
    port: number;
    /** The master's pid (its workers are its children). */
    pid: number;
    sample(): MemorySample;
}

/** Runs the storm `reps` times against every peer (order rotating) and prints the table and ratios. */
export async function handshakeStorm(o: {
    loadgen: string;
    cpu: string;
    peers: StormPeer[];
    clientArgs: string[];
    handshakes: number;
    parallel: number;
    reps: number;
    nameWidth: number;
    ratioWidth: number;
}): Promise<void> {
    console.log(
        `\nhandshake storm: ${o.handshakes} full mTLS handshakes (ECDSA P-256, no resumption), ${o.parallel} at a time`,
    );
    const storm: Record<string, { perSecond: number; cpuMs: number; peakRss: number; peakWs: number }[]> = {};
    const tlsPeers = o.peers;
    for (let rep = 0; rep < o.reps; rep++) {
        for (const peer of tlsPeers.map((_, i) => tlsPeers[(i + rep) % tlsPeers.length])) {
            const pid = peer.pid;
            const cpu0 = groupCpuSeconds(pid);
            let [peakRss, peakWs] = [0, 0];
            const sampler = setInterval(() => {
                const m = peer.sample();
                peakRss = Math.max(peakRss, m.rss);
                peakWs = Math.max(peakWs, m.cgroup?.workingSetBytes ?? 0);
            }, 100);
            const r = await runLoadgen<{ handshakes: number; errors: number; seconds: number }>(o.loadgen, o.cpu, [
                "handshake",
                "127.0.0.1",
                peer.port,
                ...o.clientArgs,
                o.handshakes,
                o.parallel,
            ]);
            clearInterval(sampler);
            const cpu = groupCpuSeconds(pid) - cpu0;
            if (r.errors > 0) console.log(`  ${peer.name} rep ${rep + 1}: ${r.errors} failed connections`);
            (storm[peer.name] ??= []).push({
                perSecond: r.handshakes / r.seconds,
                cpuMs: (cpu * 1000) / Math.max(1, r.handshakes),
                peakRss,
                peakWs,
            });
        }
    }
    const afterStorm = Object.fromEntries(tlsPeers.map((p) => [p.name, p.sample()]));
    console.log(
        `${"peer".padEnd(o.nameWidth)} | handshakes/s        | CPU ms per connection | peak working set MiB | peak summed RSS MiB | after: working set / summed RSS`,
    );
    for (const p of tlsPeers) {
        const after = afterStorm[p.name];
        const ws = after.cgroup ? (after.cgroup.workingSetBytes / MIB).toFixed(1) : "-";
        console.log(
            `${p.name.padEnd(o.nameWidth)} | ${fmt(
                storm[p.name].map((s) => s.perSecond),
                0,
            ).padEnd(19)} | ` +
                `${fmt(
                    storm[p.name].map((s) => s.cpuMs),
                    3,
                ).padEnd(21)} | ` +
                `${fmt(
                    storm[p.name].map((s) => s.peakWs / MIB),
                    1,
                ).padEnd(20)} | ` +
                `${fmt(
                    storm[p.name].map((s) => s.peakRss / MIB),
                    1,
                ).padEnd(19)} | ${ws} / ${(after.rss / MIB).toFixed(1)}`,
        );
    }
    for (const b of ["floor", "haproxy"]) {
        if (!storm.ours || !storm[b]) continue;
        const cpu = stats(storm.ours.map((s, i) => s.cpuMs / storm[b][i].cpuMs));
        const rate = stats(storm.ours.map((s, i) => s.perSecond / storm[b][i].perSecond));
        console.log(
            `  ours/${b}`.padEnd(o.ratioWidth) +
                `handshakes/s ${rate.min.toFixed(2)} / ${rate.median.toFixed(2)} / ${rate.max.toFixed(2)}   ` +
                `CPU per connection ${cpu.min.toFixed(2)} / ${cpu.median.toFixed(2)} / ${cpu.max.toFixed(2)}`,
        );
    }
}
