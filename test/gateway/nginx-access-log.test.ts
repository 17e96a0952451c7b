/**
 * The gateway's access log in real nginx. In a container it goes to stdout, a pipe the runtime
 * reads, in 4 KiB blocks flushed at least once a second; here nginx's stdout is a FIFO read the
 * same way. A log file (`mla render gateway`'s default) is written line by line.
 */
import { expect } from "chai";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_LIMITS, renderNginxConfig } from "../../components/gateway/nginx-config";
import type { UpstreamUrls } from "../../components/gateway/read-routes";
import { type Recorder, nginxBinary, startRecorder } from "../support/nginx";
import { type TestClusterPki, makeClusterPki, writeTlsDir } from "../support/pki";
import { freePort } from "../support/ports";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture";
import { type Outcome, describeOutcome, send, statusOf } from "./https-client";

const PUSH_LINE = /"POST \/api\/v1\/push(\?n=\d+)? HTTP\/1\.1" 200 /;

/** Polls `read` until a line matches `pattern`; the line and the ms it took, or undefined. */
async function waitForLine(
    read: () => string,
    pattern: RegExp,
    timeoutMs: number,
): Promise<{ line: string; ms: number } | undefined> {
    const start = Date.now();
    while (Date.now() - start < timeoutMs) {
        const line = read()
            .split("\n")
            .find((l) => pattern.test(l));
        if (line) return { line, ms: Date.now() - start };
        await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
}

/** The rendered gateway in nginx with its stdout on a FIFO, and what came through the FIFO. */
interface PipedGateway {
    writePort: number;
    stdout(): string;
    stop(): Promise<void>;
}

async function startPipedGateway(pki: TestClusterPki): Promise<PipedGateway> {
    const dir = mkdtempSync(join(tmpdir(), "mla-gateway-log-"));
    chmodSync(dir, 0o755);
    const recorder: Recorder = await startRecorder();
    writeTlsDir(join(dir, "tls"), { ca: pki.ca.certPem, cert: pki.server.certPem, key: pki.server.keyPem });
    writeFileSync(join(dir, "read-token.map"), "");
    const [writePort, readPort] = [await freePort(), await freePort()];
    const url = recorder.url("/api/v1/push");
    const upstreams = Object.fromEntries(
        ["metricsPushUrl", "logsPushUrl", "metricsQueryUrl", "logsQueryUrl", "alertmanagerUrl"]
            .concat(["metricsRulerUrl", "logsRulerUrl"])
            .map((k) => [k, url]),
    ) as unknown as UpstreamUrls;
    const config = join(dir, "nginx.conf");
    writeFileSync(
        config,
        renderNginxConfig({
            tenantId: pki.clusterId,
            writeListen: { host: "127.0.0.1", port: writePort },
            readListen: { host: "127.0.0.1", port: readPort },
            tls: {
                certPath: join(dir, "tls/tls.crt"),
                keyPath: join(dir, "tls/tls.key"),
                caPath: join(dir, "tls/ca.crt"),
            },
            readTokenMapPath: join(dir, "read-token.map"),
            upstreams,
            limits: DEFAULT_LIMITS,
            suspended: false,
            retryAfterSeconds: 300,
            runtime: { dir, errorLog: "stderr", accessLog: "/dev/stdout" },
            workerProcesses: 1,
        }),
    );
    // A FIFO, as a container runtime reads a container's stdout: opened for reading first (so the
    // writer's open does not block), read without blocking through a socket handle.
    const fifo = join(dir, "stdout.fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = new Socket({ fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true });
    let received = "";
    reader.on("data", (d) => (received += String(d)));
    const writer = openSync(fifo, constants.O_WRONLY);
    const args = ["-p", dir, "-c", config, "-e", "stderr"];
    const check = spawnSync(nginxBinary(), ["-t", ...args], { stdio: ["ignore", writer, "pipe"], encoding: "utf8" });
    if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
    const child: ChildProcess = spawn(nginxBinary(), [...args, "-g", "daemon off;"], {
        stdio: ["ignore", writer, "inherit"],
    });
    closeSync(writer);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    for (const deadline = Date.now() + 10_000; ;) {
        const probe = await send({ port: readPort, path: "/healthz", method: "GET" });
        if (statusOf(probe) === 200) break;
        if (Date.now() > deadline) throw new Error(`nginx did not start: ${describeOutcome(probe)}`);
        await new Promise((r) => setTimeout(r, 50));
    }
    return {
        writePort,
        stdout: () => received,
        async stop() {
            // SIGTERM: the master stops its worker and then exits (SIGKILL would orphan the worker,
            // which holds the FIFO open).
            if (child.exitCode === null) child.kill("SIGTERM");
            await exited;
            reader.destroy();
            await recorder.close();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

describe("gateway access log in real nginx", function () {
    this.timeout(30_000);
    let pki: TestClusterPki;

    before(async () => {
        pki = await makeClusterPki("c1");
    });

    const push = (port: number, path = "/api/v1/push"): Promise<Outcome> =>
        send({
            port,
            path,
            body: "payload",
            ca: pki.ca.certPem,
            cert: pki.metricsAgent.certPem,
            key: pki.metricsAgent.keyPem,
        });

    describe("on the container's stdout (a pipe)", () => {
        let gw: PipedGateway;
        before(async () => (gw = await startPipedGateway(pki)));
        after(async () => gw?.stop());

        it("holds a push's line for the flush, then delivers it within about a second", async () => {
            const res = await push(gw.writePort);
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
            const found = await waitForLine(gw.stdout, PUSH_LINE, 3_000);
            expect(found, "no access-log line for the push within 3 s").to.not.equal(undefined);
            // One line is far below 4 KiB, so only the one-second flush timer writes it.
            expect(found!.ms).to.be.within(500, 2_500);
            expect(found!.line).to.match(/^127\.0\.0\.1 "[^"]*CN=mla-metrics-agent\.c1[^"]*" \[/);
            expect(found!.line).to.match(/"127\.0\.0\.1:\d+" 200$/);
        });

        it("keeps every line whole and in order when the pushes fill several 4 KiB blocks", async () => {
            const paths = Array.from({ length: 60 }, (_, i) => `/api/v1/push?n=${i}`);
            for (const path of paths) {
                const res = await push(gw.writePort, path);
                expect(statusOf(res), describeOutcome(res)).to.equal(200);
            }
            expect(await waitForLine(gw.stdout, /push\?n=59 /, 3_000), "the last push's line").to.not.equal(undefined);
            const logged = gw
                .stdout()
                .split("\n")
                .filter((l) => l.includes("/api/v1/push?n="));
            expect(logged.map((l) => /push\?n=(\d+) /.exec(l)?.[1])).to.deep.equal(paths.map((_, i) => String(i)));
            for (const line of logged) expect(line).to.match(/^127\.0\.0\.1 ".*" 200$/);
        });
    });

    describe("in a file (mla render gateway's default)", () => {
        let gw: GatewayFixture;
        before(async () => (gw = await startGatewayFixture(pki)));
        after(async () => gw?.stop());

        it("writes a push's line as the push completes, not a second later", async () => {
            const res = await push(gw.writePort);
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
            const read = () => {
                try {
                    return readFileSync(gw.params.runtime.accessLog, "utf8");
                } catch {
                    return "";
                }
            };
            const found = await waitForLine(read, PUSH_LINE, 3_000);
            expect(found, "no access-log line for the push").to.not.equal(undefined);
            expect(found!.ms).to.be.below(500);
        });
    });
});
