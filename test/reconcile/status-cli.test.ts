/** `mla status` against a real running service (HTTP on 127.0.0.1), through the CLI's entry point. */
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../cli/cli";
import { body, removeDir, TOKEN } from "../server/support";
import { type DayTwoServer, onboard, settle, startDayTwoServer } from "./support";

const DAY = 86400_000;

async function mla(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const saved = { ...process.env };
    for (const k of ["MLA_API_TOKEN", "MLA_API_TOKEN_FILE", "MLA_URL", "MLA_LISTEN", "MLA_DATA_DIR"])
        delete process.env[k];
    Object.assign(process.env, env);
    try {
        const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
        return { code, out, err };
    } finally {
        process.env = saved;
    }
}

describe("mla status", function () {
    this.timeout(20_000);
    let server: DayTwoServer;
    let tokenFile: string;

    before(async () => {
        server = await startDayTwoServer();
        tokenFile = join(server.dataDir, "token-for-cli");
        writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
        const now = server.clock.now();
        server.executor.setCertificates("c1", { ca: now + 3650 * DAY, server: now + 200 * DAY });
        server.executor.setCertificates("c2", { ca: now + 3650 * DAY, server: now + 100 * DAY });
        await onboard(server, "c1", body());
        await onboard(server, "c2", body());
        server.clock.advance(60_000);
        server.executor.setDrift("c2", [
            {
                op: "delete",
                urn: "urn:pulumi:c2::mla::kubernetes:networking.k8s.io/v1:NetworkPolicy::gw",
                type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                name: "gw",
                diffs: [],
            },
        ]);
        server.clock.advance(3600_000);
        await settle(server);
    });

    after(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    it("prints one table of the fleet with health, drift and first expiry, then the problems", async () => {
        const { code, out, err } = await mla(["status", "--url", server.url, "--token-file", tokenFile]);
        expect(err).to.equal("");
        expect(code, "not every cluster is ok").to.equal(1);
        const lines = out.split("\n");
        expect(lines[0].split(/\s{2,}/)).to.deep.equal([
            "CLUSTER",
            "PROJECT",
            "STATUS",
            "HEALTH",
            "GATEWAY",
            "METRICS",
            "LOGS",
            "DRIFT",
            "FIRST EXPIRY",
            "LAST OPERATION",
        ]);
        const now = server.clock.now();
        const [c1, c2] = [lines[1], lines[2]].map((l) => l.split(/\s{2,}/));
        expect(c1).to.deep.equal([
            "c1",
            "team-a",
            "ready",
            "critical",
            "critical",
            "warning",
            "warning",
            "inSync",
            new Date(now - 3600_000 - 60_000 + 200 * DAY).toISOString(),
            "up succeeded",
        ]);
        expect(c2.slice(0, 1).concat(c2.slice(7, 9))).to.deep.equal([
            "c2",
            "drifted (delete 1)",
            new Date(now - 3600_000 - 60_000 + 100 * DAY).toISOString(),
        ]);
        expect(out).to.include("c2: drift: drifted for 0 s (delete 1)");
        expect(out).to.include(
            "c1: gateway: the read listener does not answer: the stack has no gatewayReadUrl output yet",
        );
    });

    it("--json prints the same rows", async () => {
        const table = await mla(["status", "--url", server.url, "--token-file", tokenFile]);
        const json = await mla(["status", "--json"], { MLA_URL: server.url, MLA_API_TOKEN: TOKEN });
        expect(json.code).to.equal(1);
        const rows = (JSON.parse(json.out) as { clusters: Record<string, unknown>[] }).clusters;
        expect(rows.map((r) => [r.cluster, r.drift])).to.deep.equal([
            ["c1", "inSync"],
            ["c2", "drifted (delete 1)"],
        ]);
        for (const r of rows) expect(table.out).to.include(r.firstExpiry as string);
    });

    it("--probe asks every cluster's health endpoint", async () => {
        const { out } = await mla(["status", "--probe", "--json", "--url", server.url, "--token-file", tokenFile]);
        expect((JSON.parse(out) as { clusters: unknown[] }).clusters).to.have.length(2);
    });

    it("never takes the token on argv, and says when the service refuses the token", async () => {
        const argv = await mla(["status", "--url", server.url, "--token", TOKEN]);
        expect(argv.code).to.equal(2);
        expect(argv.err).to.include("Unknown option '--token'");
        const wrong = await mla(["status", "--url", server.url], { MLA_API_TOKEN: "wrong-token-0123456789" });
        expect(wrong.code).to.equal(3);
        expect(wrong.err).to.match(
            /^mla status: cannot read http:\/\/127\.0\.0\.1:\d+: GET \/v1\/clusters answered 401: /,
        );
        const none = await mla(["status", "--url", server.url, "--data-dir", join(server.dataDir, "nowhere")]);
        expect(none.code).to.equal(2);
        expect(none.err).to.include("no API token");
    });
});
