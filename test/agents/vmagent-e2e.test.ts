/**
 * End to end with real binaries, vmagent as the metrics agent: `mla render agent
 * --metrics-agent vmagent` (vmagent.yml + vmagent.flags) → the real nginx gateway (`mla render
 * gateway`, mTLS) → a receiving Prometheus. Cluster c2's agent is turned away at c1's gateway
 * and its series never arrive. Samples scraped while the gateway is down survive an agent
 * restart in the on-disk buffer (-remoteWrite.tmpDataPath) and arrive once it is back.
 */
import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/cli";
import { startNginx, type RunningNginx } from "../support/nginx";
import { makeClusterPki, writeTlsDir } from "../support/pki";
import { freePort } from "../support/ports";
import { requireBinary } from "./binaries";

const quiet = { out: () => undefined, err: (t: string) => process.stderr.write(t) };

async function cli(args: string[]): Promise<void> {
    const code = await main(args, quiet);
    if (code !== 0) throw new Error(`mla ${args.join(" ")} exited ${code}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(200);
    }
}

async function query(
    port: number,
    promql: string,
    time?: number,
): Promise<{ metric: Record<string, string>; values?: [number, string][] }[]> {
    const at = time === undefined ? "" : `&time=${time}`;
    const body = (await (
        await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}${at}`)
    ).json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; values?: [number, string][] }[] };
    };
    if (body.status !== "success") throw new Error(`query failed: ${JSON.stringify(body)}`);
    return body.data.result;
}

/** A metric's value summed over its series whose labels contain `labels`, from a /metrics page. */
async function metricValue(port: number, name: string, labels = ""): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text
        .split("\n")
        .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

function bytesUnder(dir: string): number {
    let total = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        total += entry.isDirectory() ? bytesUnder(path) : statSync(path).size;
    }
    return total;
}

describe("vmagent → gateway → receiver, with real vmagent, nginx and prometheus", function () {
    this.timeout(90_000);
    let dir: string;
    let vmagent: string;
    let gwDir: string;
    let gwConfig: string;
    let nginx: RunningNginx | undefined;
    let receiverPort: number;
    let writePort: number;
    let readPort: number;
    const ports: Record<string, number> = {};
    const agents = new Map<string, ChildProcess>();
    const processes: ChildProcess[] = [];
    const logs = new Map<string, () => string>();

    function spawnLogged(name: string, bin: string, args: string[]): ChildProcess {
        const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
        let log = "";
        child.stderr?.on("data", (d) => (log = (log + String(d)).slice(-6000)));
        logs.set(name, () => log);
        processes.push(child);
        return child;
    }

    function startAgent(name: string): void {
        const flags = readFileSync(join(dir, `agent-${name}`, "vmagent.flags"), "utf8")
            .trim()
            .split("\n");
        // ERROR: outside a cluster every Kubernetes job logs that it found no API server.
        agents.set(name, spawnLogged(`vmagent-${name}`, vmagent, [...flags, "-loggerLevel=ERROR"]));
    }

    async function stopAgent(name: string): Promise<void> {
        const child = agents.get(name);
        if (!child || child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
    }

    before(async () => {
        vmagent = requireBinary("vmagent", "victoria-metrics");
        const prometheus = requireBinary("prometheus", "prometheus");
        dir = mkdtempSync(join(tmpdir(), "mla-vmagent-e2e-"));
        chmodSync(dir, 0o755);
        const [c1, c2] = await Promise.all([makeClusterPki("c1"), makeClusterPki("c2")]);
        [receiverPort, writePort, readPort, ports.a, ports.b] = await Promise.all([
            freePort(),
            freePort(),
            freePort(),
            freePort(),
            freePort(),
        ]);

        spawnLogged("receiver", prometheus, [
            `--config.file=/dev/null`,
            `--storage.tsdb.path=${join(dir, "receiver-data")}`,
            `--web.listen-address=127.0.0.1:${receiverPort}`,
            "--web.enable-remote-write-receiver",
        ]);

        writeTlsDir(join(dir, "gw-tls"), { ca: c1.ca.certPem, cert: c1.server.certPem, key: c1.server.keyPem });
        gwDir = join(dir, "gw");
        await cli([
            "render",
            "gateway",
            "--cluster-id",
            "c1",
            "--out",
            gwDir,
            "--tls-dir",
            join(dir, "gw-tls"),
            "--write-listen",
            `127.0.0.1:${writePort}`,
            "--read-listen",
            `127.0.0.1:${readPort}`,
            "--metrics-push-url",
            `http://127.0.0.1:${receiverPort}/api/v1/write`,
        ]);
        gwConfig = readFileSync(join(gwDir, "nginx.conf"), "utf8");
        nginx = await startNginx({ prefix: gwDir, config: gwConfig, ports: [writePort, readPort] });

        // The Kubernetes jobs need a service-account token and CA to load; outside a cluster
        // they discover nothing and log why.
        const sa = join(dir, "sa");
        writeTlsDir(sa, { ca: c1.ca.certPem, cert: "", key: "" });
        writeTlsDir(join(dir, "a-tls"), {
            ca: c1.ca.certPem,
            cert: c1.metricsAgent.certPem,
            key: c1.metricsAgent.keyPem,
        });
        writeTlsDir(join(dir, "b-tls"), {
            ca: c1.ca.certPem,
            cert: c2.metricsAgent.certPem,
            key: c2.metricsAgent.keyPem,
        });
        for (const [name, clusterId] of [
            ["a", "c1"],
            ["b", "c2"],
        ]) {
            const out = join(dir, `agent-${name}`);
            mkdirSync(join(out, "buffer"), { recursive: true });
            await cli([
                "render",
                "agent",
                "--cluster-id",
                clusterId,
                "--gateway-url",
                `https://127.0.0.1:${writePort}`,
                "--tls-dir",
                join(dir, `${name}-tls`),
                "--out",
                out,
                "--no-logs",
                "--metrics-agent",
                "vmagent",
                "--scrape-interval",
                "1s",
                "--self-target",
                `127.0.0.1:${ports[name]}`,
                "--service-account-dir",
                sa,
                "--buffer-dir",
                join(out, "buffer"),
            ]);
            startAgent(name);
        }
    });

    afterEach(function () {
        if (this.currentTest?.state !== "failed") return;
        for (const [name, read] of logs) process.stderr.write(`--- ${name} ---\n${read().slice(-3000)}\n`);
    });

    after(async () => {
        for (const p of processes) if (p.exitCode === null) p.kill("SIGKILL");
        await nginx?.stop();
        await Promise.all(
            processes.map((p) =>
                p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once("exit", r)) : undefined,
            ),
        );
        rmSync(dir, { recursive: true, force: true });
    });

    it("delivers vmagent's self-scraped series through the gateway, labelled cluster=<id>", async () => {
        const found = await waitFor("up{cluster=c1} on the receiver", 30_000, async () => {
            const r = await query(receiverPort, 'up{cluster="c1",job="prometheus"}');
            return r.length > 0 ? r : undefined;
        });
        expect(found[0].metric).to.include({ cluster: "c1", job: "prometheus", instance: `127.0.0.1:${ports.a}` });
        expect(readFileSync(join(gwDir, "access.log"), "utf8")).to.match(/"POST \/api\/v1\/push HTTP\/1\.1" 204/);
    });

    it("refuses cluster c2's agent at c1's gateway, and none of its series arrive", async () => {
        // nginx answers a certificate from another CA with 400 after the handshake; vmagent
        // counts the refused requests by status and drops those blocks (a 400 is not retried).
        await waitFor("agent B's refused requests", 30_000, async () =>
            (await metricValue(ports.b, "vmagent_remotewrite_requests_total", 'status_code="400"')) > 0
                ? true
                : undefined,
        );
        expect(await metricValue(ports.b, "vmagent_remotewrite_requests_total", 'status_code="2')).to.equal(0);
        expect(await query(receiverPort, '{cluster="c2"}')).to.deep.equal([]);
        expect(await query(receiverPort, 'up{cluster="c1"}')).to.not.deep.equal([]);
    });

    it("keeps samples scraped during a gateway outage through an agent restart, on disk, and delivers them afterwards", async () => {
        await nginx?.stop();
        const outageStart = Date.now() / 1000;
        await waitFor("failed sends while the gateway is down", 30_000, async () =>
            (await metricValue(ports.a, "vmagent_remotewrite_errors_total")) > 0 ? true : undefined,
        );
        await sleep(3000);
        // SIGTERM: vmagent moves what it holds in memory into the on-disk queue.
        await stopAgent("a");
        const outageEnd = Date.now() / 1000;
        const buffer = join(dir, "agent-a", "buffer");
        expect(bytesUnder(buffer), "bytes in the on-disk buffer").to.be.greaterThan(0);

        nginx = await startNginx({ prefix: gwDir, config: gwConfig, ports: [writePort, readPort] });
        startAgent("a");
        const window = Math.ceil(outageEnd - outageStart);
        const during = await waitFor("samples from the outage on the receiver", 45_000, async () => {
            const r = await query(receiverPort, `up{cluster="c1",job="prometheus"}[${window}s]`, outageEnd);
            const stamps = (r[0]?.values ?? []).map(([t]) => t).filter((t) => t > outageStart + 1);
            return stamps.length > 0 ? stamps : undefined;
        });
        expect(during.every((t) => t <= outageEnd)).to.equal(true);
    });
});
