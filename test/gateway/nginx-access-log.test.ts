/**
 * The gateway's access log in real nginx: lines are buffered (`buffer=4k flush=1s`), so this
 * checks that a push's line still reaches the log within about a second, whole and in order.
 */
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { type TestClusterPki, makeClusterPki } from "../support/pki";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture";
import { describeOutcome, send, statusOf } from "./https-client";

/** Polls `path` until a line matches `pattern`; the line and how long it took, or undefined. */
async function waitForLine(
    path: string,
    pattern: RegExp,
    timeoutMs: number,
): Promise<{ line: string; ms: number } | undefined> {
    const start = Date.now();
    while (Date.now() - start < timeoutMs) {
        const text = existsSync(path) ? readFileSync(path, "utf8") : "";
        const line = text.split("\n").find((l) => pattern.test(l));
        if (line) return { line, ms: Date.now() - start };
        await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
}

describe("gateway access log in real nginx", function () {
    this.timeout(20_000);
    let pki: TestClusterPki;
    let gw: GatewayFixture;

    before(async () => {
        pki = await makeClusterPki("c1");
        gw = await startGatewayFixture(pki);
    });
    after(async () => gw?.stop());

    const push = (path: string) =>
        send({
            port: gw.writePort,
            path,
            body: "payload",
            ca: pki.ca.certPem,
            cert: pki.metricsAgent.certPem,
            key: pki.metricsAgent.keyPem,
        });

    it("writes a push's line, with the agent's certificate subject and the upstream, within the one-second flush", async () => {
        const res = await push("/api/v1/push");
        expect(statusOf(res), describeOutcome(res)).to.equal(200);
        // The flush timer fires one second after the first buffered line; allow for a loaded machine.
        const found = await waitForLine(gw.params.runtime.accessLog, /"POST \/api\/v1\/push HTTP\/1\.1" 200 /, 3_000);
        expect(found, "no access-log line for the push within 3 s").to.not.equal(undefined);
        expect(found!.line).to.match(/^127\.0\.0\.1 "[^"]*CN=mla-metrics-agent\.c1[^"]*" \[/);
        expect(found!.line).to.match(/"127\.0\.0\.1:\d+" 200$/);
    });

    it("keeps every line whole and in order when many pushes share a buffer", async () => {
        const paths = Array.from({ length: 40 }, (_, i) => `/api/v1/push?n=${i}`);
        for (const path of paths) {
            const res = await push(path);
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
        }
        const last = await waitForLine(gw.params.runtime.accessLog, /push\?n=39 /, 3_000);
        expect(last, "the last push's line did not arrive within 3 s").to.not.equal(undefined);
        const logged = readFileSync(gw.params.runtime.accessLog, "utf8")
            .split("\n")
            .filter((l) => l.includes("/api/v1/push?n="));
        expect(logged.map((l) => /push\?n=(\d+) /.exec(l)?.[1])).to.deep.equal(paths.map((_, i) => String(i)));
        for (const line of logged) expect(line).to.match(/^127\.0\.0\.1 ".*" 200$/);
    });
});
