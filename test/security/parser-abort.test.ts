/**
 * No request aborts the service. Nesting about 900 levels deep in the `yaml` library's parser,
 * read twice in one process, aborts Node ("RegExpCompiler Allocation failed - process out of
 * memory", in the regular expression the library unfolds scalars with): no exception to catch,
 * every request in flight lost. `&a[` repeated 1,000 times (3 KB) did it, because the depth scan
 * did not see a flow collection behind an anchor or a tag. So the scan has to see every such
 * nesting before the parser does, and this test sends each hostile text to a real `mla serve`,
 * several times, and checks that it answers 400 and is still up.
 */
import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../support/ports";
import { serveEnv } from "../support/serve-env";
import { body, removeDir } from "../server/support";

const MLA = join(__dirname, "..", "..", "bin", "mla.js");

/** Texts that nest deep in `yaml`'s parser, each 3 KB or more: a piece and how often it repeats. */
const DEEP_TEXTS: Array<[string, string]> = [
    ["flow sequences behind anchors", "&a[".repeat(1000)],
    ["flow mappings behind anchors", "&a{".repeat(1000)],
    ["flow sequences behind tags", "!t[".repeat(1000)],
    ["flow sequences behind verbatim tags", "!<t>[".repeat(1000)],
    ["flow sequences behind an anchor and a tag each", "&a !t [".repeat(600)],
    ["flow sequences", "[".repeat(1000)],
    ["implicit keys in one flow mapping", `{${"k: v ".repeat(3000)}}`],
    ["implicit keys on one line, then a stray bracket", `${"k: ".repeat(3000)}}`],
    ["complex-key indicators on one line, then a stray bracket", `${"? *a ".repeat(2000)}]`],
];

describe("no request aborts the service", function () {
    this.timeout(120_000);
    let dir: string;
    let child: ChildProcess | undefined;
    let output = "";
    let base = "";
    let token = "";

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "mla-abort-"));
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        child = spawn(process.execPath, [MLA, "serve"], {
            env: serveEnv(dir, port),
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
        child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
        for (const deadline = Date.now() + 60_000; !(await up());) {
            if (Date.now() > deadline || child.exitCode !== null)
                throw new Error(`mla serve did not come up:\n${output}`);
            await new Promise((r) => setTimeout(r, 100));
        }
        token = readFileSync(join(dir, "data", "api-token"), "utf8").trim();
    });

    after(() => {
        if (child && child.exitCode === null) child.kill("SIGKILL");
        removeDir(dir);
    });

    const up = () =>
        fetch(`${base}/healthz`).then(
            (r) => r.ok,
            () => false,
        );

    for (const [what, text] of DEEP_TEXTS) {
        it(`answers 400 to ${what} in each YAML field, three times over, and stays up`, async () => {
            const fields = {
                userKubeconfig: { userKubeconfig: text },
                seedKubeconfig: { seedKubeconfig: text },
                "tenant.alertmanagerConfig": { tenant: { alertmanagerConfig: text } },
            };
            for (let round = 0; round < 3; round++) {
                for (const [field, override] of Object.entries(fields)) {
                    const res = await fetch(`${base}/v1/clusters/c1`, {
                        method: "PUT",
                        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
                        body: JSON.stringify(body(override)),
                    }).catch((e: unknown) => {
                        throw new Error(`the service went away (${String(e)}):\n${output.slice(-2000)}`);
                    });
                    const answer = (await res.json()) as { error?: string };
                    expect(res.status, `${field}: ${answer.error}`).to.equal(400);
                    expect(answer.error).to.match(new RegExp(`^${field.replace(".", "\\.")} `));
                }
            }
            expect(await up(), "the service still answers").to.equal(true);
            // Nothing was registered: the cluster is unknown.
            const get = await fetch(`${base}/v1/clusters/c1`, { headers: { authorization: `Bearer ${token}` } });
            expect(get.status).to.equal(404);
            expect(child!.exitCode).to.equal(null);
        });
    }
});
