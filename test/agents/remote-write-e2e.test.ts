/**
 * End to end with real binaries: a Prometheus agent running `mla render agent`'s prometheus.yml
 * remote-writes through the real nginx gateway (`mla render gateway`, mTLS) into a receiving
 * Prometheus. A second cluster's agent, with its own client certificate, is turned away at the
 * first cluster's gateway, and its series never arrive.
 */
import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/cli";
import { startNginx, type RunningNginx } from "../support/nginx";
import { makeClusterPki, writeTlsDir } from "../support/pki";
import { freePort } from "../support/ports";
import { requireBinary } from "./binaries";
import { loadableBy } from "./kubernetes-sd";

const quiet = { out: () => undefined, err: (t: string) => process.stderr.write(t) };

async function cli(args: string[]): Promise<void> {
    const code = await main(args, quiet);
    if (code !== 0) throw new Error(`mla ${args.join(" ")} exited ${code}`);
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(200);
    }
}

/** Series matching `selector` on the receiver (Prometheus HTTP API). */
async function series(port: number, selector: string): Promise<Record<string, string>[]> {
    const url = `http://127.0.0.1:${port}/api/v1/series?match[]=${encodeURIComponent(selector)}&start=0`;
    const body = (await (await fetch(url)).json()) as { status: string; data: Record<string, string>[] };
    if (body.status !== "success") throw new Error(`series query failed: ${JSON.stringify(body)}`);
    return body.data;
}

/** A metric's value summed over its series, from a Prometheus /metrics page. */
async function metricValue(port: number, name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text
        .split("\n")
        .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

describe("metrics agent → gateway → receiver, with real prometheus and nginx", function () {
    this.timeout(60_000);
    let dir: string;
    let prometheus: string;
    const processes: ChildProcess[] = [];
    let nginx: RunningNginx | undefined;
    let receiverPort: number;
    let agentAPort: number;
    let agentBPort: number;
    let gatewayLog: () => string;

    function startPrometheus(name: string, args: string[]): ChildProcess {
        const child = spawn(prometheus, args, { stdio: ["ignore", "ignore", "pipe"] });
        let log = "";
        child.stderr?.on("data", (d) => (log += String(d)));
        logs.set(name, () => log);
        processes.push(child);
        return child;
    }

    before(async () => {
        prometheus = requireBinary("prometheus", "prometheus");
        const promtool = requireBinary("promtool", "prometheus");
        dir = mkdtempSync(join(tmpdir(), "mla-e2e-"));
        // nginx started as root runs its workers as nobody; they must reach the gateway's temp
        // dirs below this one (large push bodies are buffered to disk).
        chmodSync(dir, 0o755);
        const [c1, c2] = await Promise.all([makeClusterPki("c1"), makeClusterPki("c2")]);
        [receiverPort, agentAPort, agentBPort] = await Promise.all([freePort(), freePort(), freePort()]);
        const [writePort, readPort] = await Promise.all([freePort(), freePort()]);

        // The receiver: a plain Prometheus accepting remote write.
        writeFileSync(join(dir, "receiver.yml"), "global:\n  scrape_interval: 1m\n");
        startPrometheus("receiver", [
            `--config.file=${join(dir, "receiver.yml")}`,
            `--storage.tsdb.path=${join(dir, "receiver-data")}`,
            `--web.listen-address=127.0.0.1:${receiverPort}`,
            "--web.enable-remote-write-receiver",
        ]);

        // Cluster c1's gateway, exactly as `mla render gateway` writes it.
        writeTlsDir(join(dir, "gw-tls"), { ca: c1.ca.certPem, cert: c1.server.certPem, key: c1.server.keyPem });
        const gwDir = join(dir, "gw");
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
        nginx = await startNginx({
            prefix: gwDir,
            config: readFileSync(join(gwDir, "nginx.conf"), "utf8"),
            ports: [writePort, readPort],
        });
        const readLog = (file: string) => () => {
            try {
                return readFileSync(join(gwDir, file), "utf8");
            } catch {
                return "";
            }
        };
        gatewayLog = readLog("access.log");
        logs.set("gateway error.log", readLog("error.log"));

        // Agent A: cluster c1's metrics-agent certificate. Agent B: cluster c2's certificate,
        // trusting c1's CA so that the TLS handshake gets as far as the gateway's client check.
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
        const agents: [string, string, number][] = [
            ["a", "c1", agentAPort],
            ["b", "c2", agentBPort],
        ];
        for (const [name, clusterId, port] of agents) {
            const out = join(dir, `agent-${name}`);
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
                "prometheus",
                "--scrape-interval",
                "1s",
                "--self-target",
                `127.0.0.1:${port}`,
            ]);
            const config = join(out, "prometheus.yml");
            // Debian's prometheus lacks Kubernetes SD; see kubernetes-sd.ts for the stand-in.
            writeFileSync(config, loadableBy(promtool, readFileSync(config, "utf8"), join(out, "targets.json")));
            startPrometheus(`agent-${name}`, [
                "--enable-feature=agent",
                `--config.file=${config}`,
                `--storage.agent.path=${join(out, "wal")}`,
                `--web.listen-address=127.0.0.1:${port}`,
            ]);
        }
    });

    // On failure, show what the binaries said; the temp dir is gone after `after`.
    const logs = new Map<string, () => string>();
    afterEach(function () {
        if (this.currentTest?.state !== "failed") return;
        for (const [name, read] of logs) process.stderr.write(`--- ${name} ---\n${read().slice(-3000)}\n`);
        process.stderr.write(`--- gateway access.log ---\n${gatewayLog().slice(-2000)}\n`);
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

    it("delivers the agent's self-scraped series, labelled cluster=<id>, within 30 s", async () => {
        const found = await waitFor("series with cluster=c1 on the receiver", 30_000, async () => {
            const hits = await series(receiverPort, '{cluster="c1",job="prometheus"}');
            return hits.length > 0 ? hits : undefined;
        });
        expect(found.every((s) => s.cluster === "c1" && s.job === "prometheus")).to.equal(true);
        expect(found.map((s) => s.__name__)).to.include("up");
        expect(gatewayLog()).to.match(/"POST \/api\/v1\/push HTTP\/1\.1" 204/);
    });

    it("rejects the second cluster's agent at the gateway, and none of its series arrive", async () => {
        // B has been trying since start-up; wait until it has recorded failed sends.
        await waitFor("agent B's remote-write failures", 30_000, async () => {
            const failed = await metricValue(agentBPort, "prometheus_remote_storage_samples_failed_total");
            return failed > 0 ? failed : undefined;
        });
        expect(await metricValue(agentBPort, "prometheus_remote_storage_samples_failed_total")).to.be.greaterThan(0);
        expect(await series(receiverPort, '{cluster="c2"}')).to.deep.equal([]);
        // A's data keeps flowing meanwhile: the rejection is per certificate, not a gateway outage.
        expect(await series(receiverPort, '{cluster="c1"}')).to.not.deep.equal([]);
    });
});
