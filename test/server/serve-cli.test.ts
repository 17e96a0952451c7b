import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeDir } from "./support";

/** A loopback port that was free a moment ago. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
        });
    });
}

describe("`mla serve` as a process, on a machine without the Pulumi CLI", () => {
    let child: ChildProcess;
    let dir: string;
    let base: string;
    let output = "";
    let exit: Promise<number | null>;

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "mla-serve-cli-"));
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        // PATH is an empty directory, so `pulumi` cannot be found even where it is installed.
        const env = {
            HOME: dir,
            PATH: join(dir, "no-bin"),
            MLA_LISTEN: `127.0.0.1:${port}`,
            MLA_DATA_DIR: join(dir, "data"),
        };
        child = spawn(process.execPath, [join(__dirname, "..", "..", "bin", "mla.js"), "serve"], {
            env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
        child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
        exit = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
        const deadline = Date.now() + 30_000;
        for (;;) {
            const ok = await fetch(`${base}/healthz`).then(
                (r) => r.ok,
                () => false,
            );
            if (ok) break;
            if (Date.now() > deadline || child.exitCode !== null)
                throw new Error(`mla serve did not come up:\n${output}`);
            await new Promise((r) => setTimeout(r, 100));
        }
    });

    after(async () => {
        if (child.exitCode === null) child.kill("SIGKILL");
        removeDir(dir);
    });

    it("answers /healthz with 200", async () => {
        const res = await fetch(`${base}/healthz`);
        expect(res.status).to.equal(200);
        expect(await res.json()).to.deep.equal({ status: "ok" });
    });

    it("answers /readyz with 503 and says to install the Pulumi CLI", async () => {
        const res = await fetch(`${base}/readyz`);
        expect(res.status).to.equal(503);
        const body = (await res.json()) as {
            ready: boolean;
            message: string;
            checks: Array<{ name: string; ok: boolean; detail: string }>;
        };
        expect(body.ready).to.equal(false);
        expect(body.message).to.include(
            "the Pulumi CLI (`pulumi`) is not on PATH: install it with `curl -fsSL https://get.pulumi.com | sh`",
        );
        expect(body.checks.find((c) => c.name === "pulumi-cli")?.ok).to.equal(false);
        expect(body.checks.find((c) => c.name === "registry")?.ok).to.equal(true);
        // HOME is empty, so no provider plugin is installed either; the message says how to fix it.
        const plugins = body.checks.find((c) => c.name === "plugins") as unknown as { ok: boolean; detail: string };
        expect(plugins.ok).to.equal(false);
        expect(plugins.detail).to.match(
            /^missing in .*\.pulumi\/plugins: grafana v2\.40\.0, kubernetes v4\.34\.2, random v4\.21\.2, tls v5\.6\.1; run `mla serve --install-plugins`/,
        );
    });

    it("lists every route in /openapi.json", async () => {
        const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
            paths: Record<string, Record<string, unknown>>;
        };
        const listed = Object.entries(doc.paths).flatMap(([path, methods]) =>
            Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
        );
        // Other routes may be added; these are the core ones.
        expect(listed.sort()).to.include.members([
            "DELETE /v1/clusters/{id}",
            "GET /healthz",
            "GET /metrics",
            "GET /openapi.json",
            "GET /readyz",
            "GET /v1/clusters",
            "GET /v1/clusters/{id}",
            "GET /v1/operations/{id}",
            "GET /v1/operations/{id}/events",
            "POST /v1/clusters/{id}/preview",
            "POST /v1/clusters/{id}/resume",
            "POST /v1/clusters/{id}/suspend",
            "POST /v1/operations/{id}/cancel",
            "PUT /v1/clusters/{id}",
        ]);
    });

    it("starts closed: generates a 0600 token file, requires it, and logs its path but never the token", async () => {
        const tokenFile = join(dir, "data", "api-token");
        expect(statSync(tokenFile).mode & 0o777).to.equal(0o600);
        const token = readFileSync(tokenFile, "utf8").trim();
        expect((await fetch(`${base}/v1/clusters`)).status).to.equal(401);
        const ok = await fetch(`${base}/v1/clusters`, { headers: { authorization: `Bearer ${token}` } });
        expect(ok.status).to.equal(200);
        expect(output).to.include(tokenFile);
        expect(output).to.not.include(token);
    });

    it("starts /metrics closed too: a generated 0600 scrape token opens it and nothing else", async () => {
        const metricsFile = join(dir, "data", "metrics-token");
        expect(statSync(metricsFile).mode & 0o777).to.equal(0o600);
        const scrape = { authorization: `Bearer ${readFileSync(metricsFile, "utf8").trim()}` };
        expect((await fetch(`${base}/metrics`)).status).to.equal(401);
        const metrics = await fetch(`${base}/metrics`, { headers: scrape });
        expect(metrics.status).to.equal(200);
        expect(await metrics.text()).to.include("mla_queue_depth");
        expect((await fetch(`${base}/v1/clusters`, { headers: scrape })).status).to.equal(401);
        expect(output).to.include(metricsFile);
        expect(output).to.not.include(scrape.authorization.slice(7));
    });

    it("shuts down cleanly on SIGTERM", async () => {
        child.kill("SIGTERM");
        expect(await exit).to.equal(0);
        expect(output).to.include("shutting down");
    });
});

/** A stub `pulumi` that records argv and environment names, and installs plugins into $PULUMI_HOME or ~/.pulumi. */
function writePluginInstallerStub(bin: string, log: string): void {
    const script = `#!${process.execPath}
const fs = require("fs"), path = require("path");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, env: Object.keys(process.env) }) + "\\n");
if (args[0] === "plugin" && args[1] === "install") {
    const dir = path.join(process.env.PULUMI_HOME || path.join(process.env.HOME, ".pulumi"), "plugins", "resource-" + args[3] + "-v" + args[4]);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "pulumi-resource-" + args[3]), "");
}
`;
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "pulumi"), script);
    chmodSync(join(bin, "pulumi"), 0o755);
}

describe("`mla serve --install-plugins`", () => {
    it("installs every provider plugin at the locked version, without the service's settings in the child's environment, and exits", async () => {
        const dir = mkdtempSync(join(tmpdir(), "mla-plugins-cli-"));
        try {
            const log = join(dir, "calls.jsonl");
            writePluginInstallerStub(join(dir, "bin"), log);
            const env = {
                HOME: dir,
                PATH: `${join(dir, "bin")}:/usr/bin:/bin`,
                MLA_DATA_DIR: join(dir, "data"),
                MLA_API_TOKEN: "api-token-SECRET-0123456789",
            };
            const run = (): Promise<{ code: number | null; out: string }> =>
                new Promise((resolve) => {
                    const child = spawn(
                        process.execPath,
                        [join(__dirname, "..", "..", "bin", "mla.js"), "serve", "--install-plugins"],
                        { env, stdio: ["ignore", "pipe", "pipe"] },
                    );
                    let out = "";
                    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
                    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
                    child.once("exit", (code) => resolve({ code, out }));
                });
            const first = await run();
            expect(first.code, first.out).to.equal(0);
            expect(first.out).to.include("4 plugin(s) installed, 0 already present");
            const calls = readFileSync(log, "utf8")
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as { args: string[]; env: string[] });
            expect(calls.map((c) => c.args.join(" "))).to.deep.equal([
                "plugin install resource grafana 2.40.0 --server github://api.github.com/pulumiverse --non-interactive",
                "plugin install resource kubernetes 4.34.2 --non-interactive",
                "plugin install resource random 4.21.2 --non-interactive",
                "plugin install resource tls 5.6.1 --non-interactive",
            ]);
            for (const c of calls) expect(c.env.filter((n) => n.startsWith("MLA_"))).to.deep.equal([]);
            // Installed means found: installing again starts nothing.
            const { installPlugins, pluginDir, requiredPlugins } =
                await import("../../executors/automation/engine-plugins");
            const plugins = requiredPlugins(join(__dirname, "..", ".."));
            expect(
                await installPlugins(plugins, { env: { PATH: env.PATH, HOME: dir }, dir: pluginDir({ HOME: dir }) }),
            ).to.deep.equal([]);
            expect(readFileSync(log, "utf8").trim().split("\n")).to.have.length(4);
        } finally {
            removeDir(dir);
        }
    });
});
