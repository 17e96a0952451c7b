/**
 * `mla render gateway`: same bytes as the Gateway component's ConfigMap, a file that stock nginx
 * runs, and a usage text that documents every flag.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/cli";
import { RENDER_GATEWAY_FLAGS, renderGateway } from "../../cli/commands/render-gateway";
import { Gateway } from "../../components/gateway/gateway";
import { READ_PORT, READ_TOKEN_DIR, RUNTIME_DIR, TLS_DIR, WRITE_PORT } from "../../components/gateway/layout";
import { installMocks, resetResources, settledResources, findResource } from "../support/mocks";
import { nginxBinary, startNginx, startRecorder, type Recorder } from "../support/nginx";
import { makeClusterPki, writeTlsDir } from "../support/pki";
import { freePort } from "../support/ports";
import { send, describeOutcome, statusOf } from "./https-client";

installMocks();

/** Runs `mla <argv>`, capturing output. */
async function mla(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
}

const URLS = {
    "metrics-push-url": "http://cortex-distributor.mla.svc:8080/api/v1/push",
    "logs-push-url": "http://loki-distributor.mla.svc:3100/loki/api/v1/push",
    "metrics-query-url": "http://cortex-query-frontend.mla.svc:8080/prometheus",
    "logs-query-url": "http://loki-query-frontend.mla.svc:3100",
    "alertmanager-url": "http://cortex-alertmanager.mla.svc:8080",
    "metrics-ruler-url": "http://cortex-ruler.mla.svc:8080/prometheus",
    "logs-ruler-url": "http://loki-ruler.mla.svc:3100",
};
const urlFlags = (urls: Record<string, string>) => Object.entries(urls).flatMap(([flag, url]) => [`--${flag}`, url]);

describe("mla render gateway", () => {
    const dirs: string[] = [];
    const tempDir = () => {
        const dir = mkdtempSync(join(tmpdir(), "mla-render-gw-"));
        dirs.push(dir);
        return dir;
    };
    after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

    it("writes the same bytes the Gateway component puts into its ConfigMap", async () => {
        resetResources();
        new Gateway("gw", {
            clusterId: "c9",
            grafanaNamespace: "mla",
            suspended: true,
            upstreams: {
                metricsPushUrl: URLS["metrics-push-url"],
                logsPushUrl: URLS["logs-push-url"],
                metricsQueryUrl: URLS["metrics-query-url"],
                logsQueryUrl: URLS["logs-query-url"],
                alertmanagerUrl: URLS["alertmanager-url"],
                metricsRulerUrl: URLS["metrics-ruler-url"],
                logsRulerUrl: URLS["logs-ruler-url"],
            },
            tls: { caCertPem: "CA", serverCertPem: "CERT", serverKeyPem: "KEY" },
            readToken: "r".repeat(48),
            metricsWriteLimit: { requestsPerSecond: 7, burst: 9 },
            queryLimit: { requestsPerSecond: 0.5, burst: 0 },
            maxBodySize: "4m",
        });
        const configMap = findResource(await settledResources(), "kubernetes:core/v1:ConfigMap", "gw-config");
        const out = tempDir();
        const result = await mla([
            "render",
            "gateway",
            "--cluster-id",
            "c9",
            "--out",
            out,
            "--suspended",
            "--write-listen",
            `0.0.0.0:${WRITE_PORT}`,
            "--read-listen",
            `0.0.0.0:${READ_PORT}`,
            "--tls-dir",
            TLS_DIR,
            "--read-token-dir",
            READ_TOKEN_DIR,
            "--runtime-dir",
            RUNTIME_DIR,
            "--error-log",
            "stderr",
            "--access-log",
            "/dev/stdout",
            "--metrics-write-rps",
            "7",
            "--metrics-write-burst",
            "9",
            "--query-rps",
            "0.5",
            "--query-burst",
            "0",
            "--max-body-size",
            "4m",
            ...urlFlags(URLS),
        ]);
        expect(result, result.err).to.include({ code: 0 });
        expect(readFileSync(join(out, "nginx.conf"), "utf8")).to.equal(configMap.inputs.data["nginx.conf"]);
    });

    it("renders with only --cluster-id and --out, and stock nginx -t accepts the result", async () => {
        const out = tempDir();
        const pki = await makeClusterPki("x");
        writeTlsDir(join(out, "tls"), { ca: pki.ca.certPem, cert: pki.server.certPem, key: pki.server.keyPem });
        const result = await mla(["render", "gateway", "--cluster-id", "x", "--out", out]);
        expect(result).to.deep.equal({
            code: 0,
            out: `wrote ${join(out, "nginx.conf")}\nwrote ${join(out, "read-token.map")} (no --read-token-file: every read request gets 401)\n`,
            err: "",
        });
        const check = spawnSync(nginxBinary(), ["-t", "-p", out, "-c", join(out, "nginx.conf")], { encoding: "utf8" });
        expect(check.status, check.stderr).to.equal(0);
    });

    describe("a rendered file in real nginx", () => {
        let recorder: Recorder;
        let stop = async () => {};
        after(async () => {
            await stop();
            await recorder?.close();
        });

        it("forwards a push from a valid agent with the tenant header", async () => {
            const out = tempDir();
            const pki = await makeClusterPki("cli");
            writeTlsDir(join(out, "tls"), { ca: pki.ca.certPem, cert: pki.server.certPem, key: pki.server.keyPem });
            recorder = await startRecorder();
            const [writePort, readPort] = [await freePort(), await freePort()];
            const urls = Object.fromEntries(
                Object.keys(URLS).map((flag) => [flag, recorder.url(flag.endsWith("push-url") ? "/push" : "")]),
            );
            const token = "T0ken_-".repeat(6);
            writeFileSync(join(out, "token.txt"), `${token}\n`);
            const result = await mla([
                "render",
                "gateway",
                "--cluster-id",
                "cli",
                "--out",
                out,
                "--read-token-file",
                join(out, "token.txt"),
                "--write-listen",
                `127.0.0.1:${writePort}`,
                "--read-listen",
                `127.0.0.1:${readPort}`,
                "--worker-processes",
                "1",
                ...urlFlags(urls),
            ]);
            expect(result.code, result.err).to.equal(0);
            const nginx = await startNginx({
                prefix: out,
                config: readFileSync(join(out, "nginx.conf"), "utf8"),
                ports: [writePort, readPort],
            });
            stop = () => nginx.stop();
            const res = await send({
                port: writePort,
                path: "/api/v1/push",
                body: "x",
                ca: pki.ca.certPem,
                cert: pki.metricsAgent.certPem,
                key: pki.metricsAgent.keyPem,
            });
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
            expect(recorder.requests.map((r) => [r.path, r.headers["x-scope-orgid"]])).to.deep.equal([
                ["/push", "cli"],
            ]);
            expect(readFileSync(nginx.configPath, "utf8")).to.not.include(token);
            expect(statSync(join(out, "read-token.map")).mode & 0o777).to.equal(0o600);
            // The read port: 401 without the token, with another case of it, and 200 with it.
            const query = (headers: Record<string, string>) =>
                send({ port: readPort, path: "/loki/api/v1/labels", method: "GET", headers });
            const statuses = [
                await query({}),
                await query({ "X-MLA-Read-Token": token.toLowerCase() }),
                await query({ "x-mla-read-token": token }),
            ].map(statusOf);
            expect(statuses).to.deep.equal([401, 401, 200]);
            expect(recorder.requests.map((r) => r.path)).to.deep.equal(["/push", "/loki/api/v1/labels"]);
        });
    });

    describe("as a non-root user", () => {
        let pidFile = "";
        after(() => {
            // Stock nginx daemonizes; stop it through its pid file.
            try {
                process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGTERM");
            } catch {
                /* never started */
            }
        });

        it("runs the rendered defaults under a stock `nginx -p DIR -c DIR/nginx.conf` and answers /healthz", async () => {
            const out = tempDir();
            const pki = await makeClusterPki("x");
            writeTlsDir(join(out, "tls"), { ca: pki.ca.certPem, cert: pki.server.certPem, key: pki.server.keyPem });
            const [writePort, readPort] = [await freePort(), await freePort()];
            const result = await mla([
                "render",
                "gateway",
                "--cluster-id",
                "x",
                "--out",
                out,
                "--write-listen",
                `127.0.0.1:${writePort}`,
                "--read-listen",
                `127.0.0.1:${readPort}`,
            ]);
            expect(result.code, result.err).to.equal(0);
            pidFile = join(out, "nginx.pid");
            const stock = [nginxBinary(), "-p", out, "-c", join(out, "nginx.conf")];
            // As root, drop to `nobody` (util-linux setpriv) so the non-root path is what runs.
            const asRoot = process.getuid?.() === 0;
            if (asRoot) spawnSync("chown", ["-R", "nobody", out]);
            const argv = asRoot ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", ...stock] : stock;
            const run = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
            expect(run.status, run.stderr).to.equal(0);
            let res = await send({ port: readPort, path: "/healthz", method: "GET" });
            for (let i = 0; i < 40 && statusOf(res) !== 200; i++) {
                await new Promise((r) => setTimeout(r, 25));
                res = await send({ port: readPort, path: "/healthz", method: "GET" });
            }
            expect(res.kind === "response" && [res.status, res.body]).to.deep.equal([200, "ok\n"]);
        });
    });

    it("documents every flag in --help", async () => {
        const result = await mla(["render", "gateway", "--help"]);
        expect(result.code).to.equal(0);
        const missing = RENDER_GATEWAY_FLAGS.filter(
            (flag) => !result.out.includes(`--${flag} `) && !result.out.includes(`--${flag}\n`),
        );
        expect(missing).to.deep.equal([]);
        expect(RENDER_GATEWAY_FLAGS).to.include.members([
            "cluster-id",
            "out",
            "suspended",
            "runtime-dir",
            "tls-dir",
            "max-body-size",
        ]);
        expect(result.out).to.equal(renderGateway.usage);
    });

    const usageErrors: [string[], string][] = [
        [["--out", "/tmp/never"], "--cluster-id is required"],
        [
            ["--cluster-id", "x", "--out", "/tmp/never", "--write-listen", "8443"],
            '--write-listen must be HOST:PORT, got "8443"',
        ],
        [
            ["--cluster-id", "x", "--out", "/tmp/never", "--query-rps", "fast"],
            '--query-rps must be a number, got "fast"',
        ],
        [
            [
                "--cluster-id",
                "Bad",
                "--out",
                "/tmp/never",
                "--max-body-size",
                "1g",
                "--metrics-push-url",
                "http://cortex:8080",
            ],
            'invalid gateway config:\n  - tenantId: "Bad" must be a DNS-1123 label\n  - upstreams.metricsPushUrl: must include the push path\n  - limits.maxBodySize: "1g" must be a size like 512k or 16m',
        ],
    ];
    it("refuses an unusable token file without echoing its content", async () => {
        const dir = tempDir();
        writeFileSync(join(dir, "t"), "short secret;");
        const result = await mla([
            "render",
            "gateway",
            "--cluster-id",
            "x",
            "--out",
            dir,
            "--read-token-file",
            join(dir, "t"),
        ]);
        expect(result.code).to.equal(2);
        expect(result.err.split("\n")[0]).to.equal(
            `mla render gateway: --read-token-file ${join(dir, "t")}: read token: must be 32-256 characters of A-Z, a-z, 0-9, _ and - (got 13 characters)`,
        );
        expect(result.err).to.not.include("secret");
    });

    for (const [argv, message] of usageErrors) {
        it(`exits 2 with "${message.split("\n")[0]}" for ${argv.join(" ")}`, async () => {
            const result = await mla(["render", "gateway", ...argv]);
            expect(result.code).to.equal(2);
            expect(result.err).to.include(`mla render gateway: ${message}\n`);
        });
    }
});
