/**
 * A closed-loop HTTP(S) load generator, run as its own process so that it never shares an event
 * loop with the sink it measures. It keeps `concurrency` POSTs in flight for `durationMs`, over
 * kept-alive connections, and prints one JSON line of results.
 *
 * Input: the JSON of a {@link LoadSpec} in the environment variable MLA_LOAD_SPEC.
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { readFileSync } from "node:fs";

/** What to send. */
export interface LoadSpec {
    url: string;
    concurrency: number;
    payloadBytes: number;
    durationMs: number;
    /** Client certificate material for mTLS (file paths). */
    tls?: { caPath: string; certPath: string; keyPath: string };
}

/** What happened. */
export interface LoadResult {
    requests: number;
    errors: number;
    /** Non-2xx statuses by code. */
    statuses: Record<string, number>;
    seconds: number;
    /** Payload bytes per second that were answered 2xx. */
    bytesPerSecond: number;
    p50Ms: number;
    p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
    if (sorted.length === 0) return 0;
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(spec: LoadSpec): Promise<LoadResult> {
    const url = new URL(spec.url);
    const https = url.protocol === "https:";
    const agent = https
        ? new HttpsAgent({
              keepAlive: true,
              maxSockets: spec.concurrency,
              ca: readFileSync(spec.tls!.caPath),
              cert: readFileSync(spec.tls!.certPath),
              key: readFileSync(spec.tls!.keyPath),
              servername: "localhost",
          })
        : new HttpAgent({ keepAlive: true, maxSockets: spec.concurrency });
    const payload = Buffer.alloc(spec.payloadBytes, 0x61);
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let ok = 0;
    let errors = 0;
    const started = process.hrtime.bigint();
    const deadline = Date.now() + spec.durationMs;

    const once = (): Promise<void> =>
        new Promise((resolve) => {
            const t0 = process.hrtime.bigint();
            const req = (https ? httpsRequest : httpRequest)(
                url,
                {
                    method: "POST",
                    agent,
                    headers: { "content-type": "application/x-protobuf", "content-length": payload.length },
                },
                (res) => {
                    res.resume();
                    res.on("end", () => {
                        const status = res.statusCode ?? 0;
                        if (status >= 200 && status < 300) {
                            ok++;
                            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
                        } else statuses[status] = (statuses[status] ?? 0) + 1;
                        resolve();
                    });
                },
            );
            req.on("error", () => {
                errors++;
                resolve();
            });
            req.end(payload);
        });

    await Promise.all(
        Array.from({ length: spec.concurrency }, async () => {
            while (Date.now() < deadline) await once();
        }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    return {
        requests: ok,
        errors,
        statuses,
        seconds,
        bytesPerSecond: (ok * spec.payloadBytes) / seconds,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
    };
}

if (require.main === module) {
    const spec = JSON.parse(process.env.MLA_LOAD_SPEC ?? "null") as LoadSpec | null;
    if (!spec) {
        process.stderr.write("MLA_LOAD_SPEC is not set\n");
        process.exit(2);
    }
    run(spec).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
