import { expect } from "chai";
import { requestHash, seedKubeconfigPath, toClusterSpec } from "../../service/operations/cluster-request";
import { secretScrubber } from "../../service/operations/scrub";
import { body, kubeconfig, USER_SECRET } from "./support";
import { httpErrorFor } from "../../service/http/errors";
import type { DomainError } from "../../service/operations/domain-errors";

describe("HTTP body to cluster spec", () => {
    it("applies the documented defaults", () => {
        const spec = toClusterSpec("c1", body() as never, "seed-kc");
        expect(spec).to.deep.include({
            clusterId: "c1",
            project: "team-a",
            seedStack: "seed-eu1",
            seedKubeconfig: "seed-kc",
            suspended: false,
        });
        expect(spec.gateway).to.deep.include({
            replicas: 2,
            serviceType: "LoadBalancer",
            maxBodySize: "16m",
            externalHostnames: ["mla.c1.example.com"],
        });
        expect(spec.pki).to.deep.equal({ validityHours: 8760, earlyRenewalHours: 720, credentialsGeneration: 0 });
        expect(spec.monitoring).to.deep.include({
            enabled: true,
            scrapeInterval: "30s",
            replicas: 1,
            nodeExporter: false,
        });
        // vmagent, the default agent, with its defaults.
        expect(spec.monitoring).to.deep.include({ agent: "vmagent" });
        expect(spec.monitoring.resources).to.deep.equal({
            requests: { cpu: "50m", memory: "128Mi" },
            limits: { cpu: "1", memory: "1Gi" },
        });
        expect(spec.logging).to.deep.include({ enabled: true, agent: "alloy" });
        expect(spec.tenant).to.deep.include({ purgeOnDestroy: false, retention: { metrics: "168h", logs: "168h" } });
    });

    it("keeps explicit zeros and falses instead of defaulting them", () => {
        const spec = toClusterSpec("c1", body({ monitoring: { enabled: false, replicas: 0 } }) as never, "s");
        expect(spec.monitoring.enabled).to.equal(false);
        expect(spec.monitoring.replicas).to.equal(0);
    });

    it("refuses every semantic problem of the spec in one invalid-input error (a 400 over HTTP)", () => {
        let error: { kind?: string; message?: string } = {};
        try {
            toClusterSpec(
                "c1",
                body({ gateway: { externalHostnames: [] }, tenant: { metricsLimits: { ingestionRate: 0 } } }) as never,
                "s",
            );
        } catch (e) {
            error = e as typeof error;
        }
        expect(error.kind).to.equal("invalid");
        expect(httpErrorFor(error as DomainError).statusCode).to.equal(400);
        expect(error.message).to.equal(
            "invalid cluster spec: gateway.externalHostnames must name at least one DNS name the user cluster reaches the gateway at; " +
                "tenant.metricsLimits.ingestionRate must be a whole number > 0, got 0",
        );
    });

    it("hashes equal specs equally regardless of key order, and differently for another kind or kubeconfig", () => {
        const a = toClusterSpec("c1", body() as never, "s");
        const b = toClusterSpec("c1", JSON.parse(JSON.stringify({ seed: "seed-eu1", ...body() })) as never, "s");
        expect(requestHash("up", a)).to.equal(requestHash("up", b));
        expect(requestHash("up", a)).to.not.equal(requestHash("preview", a));
        expect(requestHash("up", a)).to.not.equal(
            requestHash(
                "up",
                toClusterSpec("c1", body({ userKubeconfig: kubeconfig("rotated-token-0000000") }) as never, "s"),
            ),
        );
        expect(requestHash("up", a)).to.match(/^[0-9a-f]{64}$/);
    });

    it("names the seed kubeconfig file after the whole seed stack name, with / as __", () => {
        expect(seedKubeconfigPath("/etc/mla/seeds", "org/mla/seed-eu1")).to.equal(
            "/etc/mla/seeds/org__mla__seed-eu1.yaml",
        );
        expect(seedKubeconfigPath("/etc/mla/seeds", "seed-eu1")).to.equal("/etc/mla/seeds/seed-eu1.yaml");
    });

    it("reads different files for two organizations' seeds with the same short name", () => {
        const a = seedKubeconfigPath("/etc/mla/seeds", "orgA/mla/eu1");
        const b = seedKubeconfigPath("/etc/mla/seeds", "orgB/mla/eu1");
        expect(a).to.not.equal(b);
        expect([a, b]).to.deep.equal(["/etc/mla/seeds/orgA__mla__eu1.yaml", "/etc/mla/seeds/orgB__mla__eu1.yaml"]);
    });
});

describe("secretScrubber", () => {
    it("redacts whole secrets, their long lines and bare values, and leaves short common lines", () => {
        const scrub = secretScrubber([kubeconfig(USER_SECRET), undefined]);
        expect(scrub(`failed: ${kubeconfig(USER_SECRET)}`)).to.equal("failed: [redacted]");
        expect(scrub(`bad token ${USER_SECRET} here`)).to.equal("bad token [redacted] here");
        expect(scrub("apiVersion: v1 is fine")).to.equal("apiVersion: v1 is fine");
    });
});
