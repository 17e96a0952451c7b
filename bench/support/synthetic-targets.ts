/**
 * A synthetic scrape load: K HTTP targets on loopback, each exposing M gauge series in the
 * Prometheus text format, with values that change on every scrape (so nothing compresses away).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The running targets and how to stop them. */
export interface SyntheticTargets {
    /** `127.0.0.1:<port>` of every target. */
    readonly addresses: string[];
    close(): Promise<void>;
}

/** The exposition text of one target: `series` gauges spread over 10 metric names. */
export function exposition(target: number, series: number, tick: number): string {
    const lines: string[] = [];
    const perMetric = Math.ceil(series / 10);
    for (let m = 0; m < 10; m++) {
        lines.push(`# TYPE synthetic_metric_${m} gauge`);
        for (let s = 0; s < perMetric && m * perMetric + s < series; s++) {
            const value = ((target * 7919 + m * 104729 + s * 31 + tick) % 10007) / 7;
            lines.push(`synthetic_metric_${m}{target="t${target}",series="s${s}",shard="${s % 16}"} ${value}`);
        }
    }
    return `${lines.join("\n")}\n`;
}

/** Starts `targets` servers with `series` series each. */
export async function startSyntheticTargets(targets: number, series: number): Promise<SyntheticTargets> {
    const servers: Server[] = [];
    let tick = 0;
    for (let t = 0; t < targets; t++) {
        const server = createServer((req, res) => {
            if (req.url !== "/metrics") {
                res.writeHead(404).end();
                return;
            }
            res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
            res.end(exposition(t, series, tick++));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        servers.push(server);
    }
    return {
        addresses: servers.map((s) => `127.0.0.1:${(s.address() as AddressInfo).port}`),
        close: async () => {
            await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
        },
    };
}
