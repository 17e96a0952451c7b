import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
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
        const env = { HOME: dir, PATH: join(dir, "no-bin"), MLA_LISTEN: `127.0.0.1:${port}`, MLA_DATA_DIR: join(dir, "data") };
        child = spawn(process.execPath, [join(__dirname, "..", "..", "bin", "mla.js"), "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
        child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
        exit = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
        const deadline = Date.now() + 30_000;
        for (;;) {
            const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
            if (ok) break;
            if (Date.now() > deadline || child.exitCode !== null) throw new Error(`mla serve did not come up:\n${output}`);
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
        const body = (await res.json()) as { ready: boolean; message: string; checks: Array<{ name: string; ok: boolean }> };
        expect(body.ready).to.equal(false);
        expect(body.message).to.include("the Pulumi CLI (`pulumi`) is not on PATH: install it with `curl -fsSL https://get.pulumi.com | sh`");
        expect(body.checks.find((c) => c.name === "pulumi-cli")?.ok).to.equal(false);
        expect(body.checks.find((c) => c.name === "registry")?.ok).to.equal(true);
    });

    it("lists every route in /openapi.json", async () => {
        const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
        const listed = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
        expect(listed.sort()).to.deep.equal([
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

    it("shuts down cleanly on SIGTERM", async () => {
        child.kill("SIGTERM");
        expect(await exit).to.equal(0);
        expect(output).to.include("shutting down");
    });
});
