/**
 * The onboarding benchmark's load side (`bench/service.ts`): real-sized request bodies, the PUT
 * over kept-alive `node:http` connections, readiness waits and the service child's JSON lines.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { kubeconfig as testKubeconfig } from "../../test/support/kubeconfig";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { type Agent, request } from "node:http";

/** A child's output on `fd` (stdout by default), as the JSON objects it prints one per line. */
export function lines(proc: ChildProcess, fd = 1): AsyncGenerator<Record<string, unknown>> {
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let buf = "";
    (proc.stdio[fd] as NodeJS.ReadableStream).on("data", (c: Buffer) => {
        buf += c.toString();
        for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
            queue.push(buf.slice(0, i));
            buf = buf.slice(i + 1);
        }
        wake?.();
    });
    return (async function* () {
        for (;;) {
            while (queue.length > 0) {
                const line = queue.shift()!;
                if (line.startsWith("{")) yield JSON.parse(line) as Record<string, unknown>;
            }
            await new Promise<void>((r) => (wake = r));
        }
    })();
}

/**
 * The load generator's PUT: plain `node:http` over kept-alive connections, one per request in
 * flight. (`fetch` cost as much CPU as the service itself, so the generator, not the service,
 * set the pace on 2 cores.) Resolves with the status once the whole answer is read.
 */
export function putRaw(agent: Agent, url: string, headers: Record<string, string>, body: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = request(url, {
            method: "PUT",
            agent,
            headers: { ...headers, "content-length": Buffer.byteLength(body) },
        });
        req.on("response", (res) => {
            res.on("data", () => undefined);
            res.on("end", () => resolve(res.statusCode ?? 0));
            res.on("error", reject);
        });
        req.on("error", reject);
        req.end(body);
    });
}

/** Waits (at most 120 s) until `count` clusters whose id starts with `prefix` are `ready`. */
export async function untilReady(base: string, headers: Record<string, string>, prefix: string, count: number) {
    for (const deadline = Date.now() + 120_000; count > 0 && Date.now() < deadline;) {
        const list = (await (await fetch(`${base}/v1/clusters`, { headers })).json()) as {
            clusters: Array<{ id: string; status: string }>;
        };
        if (list.clusters.filter((c) => c.id.startsWith(prefix) && c.status === "ready").length >= count) return;
        await new Promise((r) => setTimeout(r, 250));
    }
}

/**
 * A kubeconfig the size and shape of a real token-based one, different every call: its server
 * address, random CA data (as large as a base64-encoded PEM certificate, about 1.5 KB) and a
 * random service-account token (about 0.9 KB).
 */
function kubeconfig(server: string): string {
    return testKubeconfig(randomBytes(660).toString("base64url"), server, randomBytes(1100).toString("base64"));
}

/** The kubeconfig of the seed every bench cluster is onboarded to. */
const SEED_KUBECONFIG = kubeconfig("https://10.255.0.2:6443");

/**
 * The PUT body of cluster number `i`: its own user kubeconfig, and the seed's kubeconfig, which
 * every cluster of a seed sends as it is (`per-seed`, as a fleet's clients do), or a new one every
 * time (`per-request`: the worst case, where no verdict on it can be reused).
 */
export function benchBody(i: number, seedKubeconfig: "per-seed" | "per-request" = "per-seed"): Record<string, unknown> {
    return {
        project: "team-a",
        seed: "seed-eu1",
        userKubeconfig: kubeconfig(`https://10.${(i >> 8) & 255}.${i & 255}.1:6443`),
        seedKubeconfig: seedKubeconfig === "per-seed" ? SEED_KUBECONFIG : kubeconfig("https://10.255.0.2:6443"),
        gateway: { externalHostnames: ["mla.bench.example.com"] },
    };
}

/** What `putgen` (the compiled generator, `putgen.c`) reports of one burst. */
export interface Burst {
    accepted: number;
    other: number;
    firstOther: number;
    errors: number;
    seconds: number;
    p50Ms: number;
    p99Ms: number;
    /** The generator's own CPU seconds during the burst. */
    cpuSeconds: number;
}

/**
 * Starts `putgen` (built by `buildC`) with one PUT per body, `inFlight` kept-alive connections to
 * `port`; resolves once every connection is open and has served one `GET /healthz`. `go()` starts
 * the burst and resolves with its report when every request is answered.
 */
export async function startBurst(options: {
    bin: string;
    port: number;
    token: string;
    puts: Array<{ path: string; body: string }>;
    inFlight: number;
    file: string;
    /** Whether putgen writes each request's latency to MLA_BENCH_LATENCIES (not for a warm-up). */
    recordLatencies?: boolean;
}): Promise<{ go(): Promise<Burst> }> {
    const records = options.puts.map(({ path, body }) => {
        const request = Buffer.from(
            `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\nAuthorization: Bearer ${options.token}\r\n` +
                `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        return Buffer.concat([Buffer.from(`${request.length}\n`), request]);
    });
    const probe = Buffer.from(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\n\r\n`);
    writeFileSync(options.file, Buffer.concat([Buffer.from(`${probe.length}\n`), probe, ...records]));
    const { MLA_BENCH_LATENCIES, ...others } = process.env;
    const proc = spawn(options.bin, ["127.0.0.1", String(options.port), options.file, String(options.inFlight)], {
        stdio: ["pipe", "pipe", "inherit"],
        env: options.recordLatencies === false ? others : { ...others, MLA_BENCH_LATENCIES },
    });
    // putgen ending (or failing to start) before it has said what the caller waits for is an error, not a hang.
    const ended = new Promise<never>((_, reject) => {
        proc.once("error", reject);
        proc.once("close", (code, signal) => reject(new Error(`putgen ended (${signal ?? `exit ${code}`})`)));
    });
    ended.catch(() => undefined);
    proc.stdin!.on("error", () => undefined); // a putgen that died is reported by `ended`
    const out = lines(proc);
    const next = () => Promise.race([out.next(), ended]);
    const ready = await next();
    if (ready.done || typeof ready.value.ready !== "number") throw new Error("putgen did not connect");
    return {
        async go() {
            proc.stdin!.end("go\n");
            const report = (await next()).value as unknown as Burst;
            await ended.catch(() => undefined);
            return report;
        },
    };
}
