/**
 * docs/gateway-isolation.md states the read routes and the attacks tried; both must match the code
 * (components/gateway/read-routes.ts, test/security/cross-tenant-attacks.ts), so the page cannot drift.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { READ_ROUTES } from "../../components/gateway/read-routes";
import { normalAttacks, rotatedAttacks, suspendedAttacks } from "../security/cross-tenant-attacks";

const DOC = readFileSync(join(__dirname, "../../docs/gateway-isolation.md"), "utf8");

describe("docs/gateway-isolation.md", () => {
    it("lists every read route with its methods, and no other", () => {
        const rows = DOC.split("\n").filter((l) => /^\| `\//.test(l) && l.includes("Url`"));
        const expected = READ_ROUTES.map((r) => {
            const match = r.path.endsWith("/") ? `\`${r.path}…\`` : `\`${r.path}\``;
            const writes = r.writeMethods?.length ? ` (${r.writeMethods.join(", ")}: 503 while suspended)` : "";
            const tail = r.path.endsWith("/") ? "…" : "";
            return `| ${match} | ${r.methods.join(", ")}${writes} | \`${r.upstream}\`${r.fromRoot ? " (root)" : ""} + \`${r.upstreamPath}${tail}\` |`;
        });
        expect(rows).to.deep.equal(expected);
    });

    it("lists every attack of the suite by group, with the total", () => {
        const all = [...normalAttacks(), ...suspendedAttacks(), ...rotatedAttacks(() => ({}) as never)];
        expect(DOC).to.include(`**${all.length} attacks tried, 0 got\nthrough**`);
        const groups = new Map<string, string[]>();
        for (const a of all) groups.set(a.group, [...(groups.get(a.group) ?? []), a.name]);
        for (const [group, names] of groups) {
            expect(DOC).to.include(
                `- **${group}** (${names.length}): ${names.map((n) => n.replace(/\|/g, "\\|")).join("; ")}.`,
            );
        }
    });
});
