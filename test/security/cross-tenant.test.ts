/**
 * Acceptance: tenant isolation on the data plane, tried as a hostile tenant would.
 *
 * Two clusters' gateways (tenant-a, tenant-b) run side by side in real nginx, each rendered by the
 * `mla render gateway` code path with its own PKI and read token, in front of one set of shared
 * recording backends (as in the seed: one Cortex and one Loki for every tenant, told apart by
 * `X-Scope-OrgID`). Every attack (cross-cluster credentials, writes on the read port with and
 * without suspend, read-token games, client-certificate identity, header smuggling, old
 * credentials after a rotation) is run, and every request that reached a backend is recorded
 * with its tenant header.
 *
 * An attack got through when anything it sent reached a backend while nothing may, or when what
 * reached a backend carried another tenant than the attacker's own, or a method or backend
 * outside what the attacker's own credentials allow. Pass: 0 got through. The count and every
 * request that reached a backend are printed.
 */
import { expect } from "chai";
import { makeClusterPki, type TestClusterPki } from "../support/pki";
import {
    A,
    type Attack,
    type AttackWorld,
    B,
    normalAttacks,
    rotatedAttacks,
    suspendedAttacks,
} from "./cross-tenant-attacks";
import { type BackendHit, type SharedBackends, startSharedBackends } from "./cross-tenant-backend";
import { type TenantGateway, newReadToken, startTenantGateway } from "./cross-tenant-fixture";
import { head, sendRaw } from "./cross-tenant-raw";

/** What one attack produced. */
interface Result {
    attack: Attack;
    statuses: number[];
    error?: string;
    hits: BackendHit[];
    breaches: string[];
}

/** Why a hit counts as got through; empty when it is within what the attacker may do. */
function breachesOf(attack: Attack, hits: BackendHit[]): string[] {
    return hits.flatMap((hit) => {
        const where = `${hit.method} ${hit.path} at ${hit.backend} with X-Scope-OrgID ${JSON.stringify(hit.orgIds)}`;
        if (attack.allowed === "nothing") return [`reached a backend: ${where}`];
        const reasons: string[] = [];
        if (hit.orgIds.length !== 1 || hit.orgIds[0] !== attack.attacker) reasons.push(`wrong tenant: ${where}`);
        if (!attack.allowed.backends.includes(hit.backend) || !attack.allowed.methods.includes(hit.method))
            reasons.push(`beyond its rights: ${where}`);
        if (hit.headerNames.some((n) => n.toLowerCase() === "x-mla-read-token"))
            reasons.push(`read token forwarded: ${where}`);
        return reasons;
    });
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe("cross-tenant isolation of the gateways (real nginx, rendered by mla render gateway)", function () {
    this.timeout(60_000);
    let backends: SharedBackends;
    let gwA: TenantGateway;
    let gwB: TenantGateway;
    let world: AttackWorld;
    const results: Result[] = [];

    const target = (gw: TenantGateway, pki: TestClusterPki) => ({
        writePort: gw.writePort,
        readPort: gw.readPort,
        serverCa: pki.ca.certPem,
    });

    async function run(attack: Attack): Promise<Result> {
        backends.hits.length = 0;
        const outcome = await attack.send(world);
        await settle();
        const hits = [...backends.hits];
        const result = {
            attack,
            statuses: outcome.statuses,
            error: outcome.error,
            hits,
            breaches: breachesOf(attack, hits),
        };
        results.push(result);
        return result;
    }

    function attackCases(list: () => Attack[]): void {
        for (const attack of list()) {
            it(`[${attack.group}] ${attack.name}`, async () => {
                const r = await run(attack);
                expect(r.breaches, r.breaches.join("\n")).to.deep.equal([]);
                const statuses = r.statuses.length === 0 ? [0] : r.statuses;
                for (const s of statuses)
                    expect(attack.expectStatuses, `status ${s} (${r.error ?? "answered"})`).to.include(s);
            });
        }
    }

    /** A legitimate request must reach exactly its backend with its own tenant: the suite is not blind. */
    async function control(
        send: () => Promise<unknown>,
        backend: BackendHit["backend"],
        tenant: string,
    ): Promise<void> {
        backends.hits.length = 0;
        await send();
        await settle();
        expect(backends.hits.map((h) => [h.backend, h.orgIds])).to.deep.equal([[backend, [tenant]]]);
    }

    before(async () => {
        backends = await startSharedBackends();
        const [pkiA, pkiB] = [await makeClusterPki(A), await makeClusterPki(B)];
        const [tokenA, tokenB] = [newReadToken(), newReadToken()];
        gwA = await startTenantGateway(backends, { pki: pkiA, readToken: tokenA });
        gwB = await startTenantGateway(backends, { pki: pkiB, readToken: tokenB });
        world = {
            a: target(gwA, pkiA),
            b: target(gwB, pkiB),
            pkiA,
            pkiB,
            tokenA,
            tokenB,
            forged: {
                bCnFromACa: await pkiA.issueClient(`mla-metrics-agent.${B}`, { organization: `cluster-${B}` }),
                aCnFromBCa: await pkiB.issueClient(`mla-metrics-agent.${A}`, { organization: `cluster-${A}` }),
                cnSuffix: await pkiA.issueClient(`mla-metrics-agent.${A}.evil`),
                cnPrefix: await pkiA.issueClient(`evil-mla-metrics-agent.${A}`),
                escapedComma: await pkiA.issueClient(`mla-log-agent.${A}`, {
                    organization: `x\\,CN=mla-metrics-agent.${A}`,
                }),
            },
        };
    });
    after(async () => {
        await gwA?.stop();
        await gwB?.stop();
        await backends?.close();
    });

    const push = (gw: "a" | "b", path: string, cert: "metricsAgent" | "logAgent") => () => {
        const t = world[gw];
        const pki = gw === "a" ? world.pkiA : world.pkiB;
        return sendRaw(
            t.writePort,
            head("POST", path, [
                ["Host", "gw"],
                ["Content-Length", "5"],
                ["Connection", "close"],
            ]) + "hello",
            {
                ca: t.serverCa,
                cert: pki[cert].certPem,
                key: pki[cert].keyPem,
            },
        );
    };
    const query =
        (gw: "a" | "b", token: () => string, path = "/api/prom/api/v1/query?query=up") =>
        () =>
            sendRaw(
                world[gw].readPort,
                head("GET", path, [
                    ["Host", "gw"],
                    ["X-MLA-Read-Token", token()],
                    ["Connection", "close"],
                ]),
            );

    describe("controls: each tenant's own credentials reach the backends as that tenant", () => {
        it("A's agents push metrics and logs as tenant-a; B's as tenant-b", async () => {
            await control(push("a", "/api/v1/push", "metricsAgent"), "metricsPushUrl", A);
            await control(push("a", "/loki/api/v1/push", "logAgent"), "logsPushUrl", A);
            await control(push("b", "/api/v1/push", "metricsAgent"), "metricsPushUrl", B);
        });
        it("A's and B's read tokens query as their own tenant", async () => {
            await control(
                query("a", () => world.tokenA),
                "metricsQueryUrl",
                A,
            );
            await control(
                query("b", () => world.tokenB, "/loki/api/v1/labels"),
                "logsQueryUrl",
                B,
            );
        });
    });

    describe("attacks while both run", () => attackCases(normalAttacks));

    describe("attacks while A is suspended", () => {
        before(async () => gwA.rerender({ suspended: true }));
        after(async () => gwA.rerender({ suspended: false }));
        it("still answers A's queries while suspended (suspend stops writes, not reads)", async () => {
            await control(
                query("a", () => world.tokenA),
                "metricsQueryUrl",
                A,
            );
        });
        attackCases(suspendedAttacks);
    });

    describe("attacks with A's credentials from before a rotation", () => {
        let old: { pki: TestClusterPki; token: string; lateCert: Awaited<ReturnType<TestClusterPki["issueClient"]>> };
        const oldRef = () => old;
        before(async () => {
            old = {
                pki: world.pkiA,
                token: world.tokenA,
                lateCert: await world.pkiA.issueClient(`mla-metrics-agent.${A}`),
            };
            // A new CA, new certificates and a new token, rendered and rolled out as one change.
            const pki = await makeClusterPki(A);
            const token = newReadToken();
            await gwA.rerender({ credentials: { pki, readToken: token } });
            world = { ...world, a: target(gwA, pki), pkiA: pki, tokenA: token };
        });
        it("takes the new credentials (control)", async () => {
            await control(push("a", "/api/v1/push", "metricsAgent"), "metricsPushUrl", A);
            await control(
                query("a", () => world.tokenA),
                "metricsQueryUrl",
                A,
            );
        });
        attackCases(() => rotatedAttacks(oldRef));
    });

    describe("summary", () => {
        it("counts every attack tried and how many got through (must be 0), and prints what reached a backend", () => {
            const through = results.filter((r) => r.breaches.length > 0);
            const reached = results.flatMap((r) => r.hits.map((h) => ({ attack: r.attack.name, ...h })));
            const lines = [
                `cross-tenant: ${results.length} attacks tried, ${through.length} got through`,
                ...Object.entries(
                    results.reduce<Record<string, number>>(
                        (acc, r) => ({ ...acc, [r.attack.group]: (acc[r.attack.group] ?? 0) + 1 }),
                        {},
                    ),
                ).map(([group, n]) => `  ${group}: ${n}`),
                `requests that reached a backend during attacks: ${reached.length}`,
                ...reached.map(
                    (h) =>
                        `  ${h.method} ${h.path} -> ${h.backend}, X-Scope-OrgID ${JSON.stringify(h.orgIds)} (attack: ${h.attack})`,
                ),
                ...through.map((r) => `GOT THROUGH: ${r.attack.name}: ${r.breaches.join("; ")}`),
            ];
            console.log(lines.join("\n"));
            expect(results.length).to.equal(
                normalAttacks().length + suspendedAttacks().length + rotatedAttacks(() => ({}) as never).length,
            );
            expect(through.map((r) => r.attack.name)).to.deep.equal([]);
        });
    });
});
