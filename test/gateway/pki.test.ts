/** ClusterPki under mocks: its resources, their shape, and the secrecy of every private key. */
import { expect } from "chai";
import { installMocks, resetResources, settledResources, findResource, ofType, isSecretOutput } from "../support/mocks";
import { ClusterPki } from "../../components/pki/pki";

installMocks();

describe("ClusterPki", () => {
    beforeEach(() => resetResources());

    it("makes one ECDSA P-256 key per certificate, a CA and three signed certificates", async () => {
        new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com"] });
        const resources = await settledResources();
        const keys = ofType(resources, "tls:index/privateKey:PrivateKey");
        expect(keys.map((k) => k.name)).to.have.members(["pki-ca", "pki-server", "pki-metrics-agent", "pki-log-agent"]);
        for (const key of keys) expect([key.inputs.algorithm, key.inputs.ecdsaCurve]).to.deep.equal(["ECDSA", "P256"]);
        const ca = findResource(resources, "tls:index/selfSignedCert:SelfSignedCert", "pki-ca").inputs;
        expect([ca.isCaCertificate, ca.allowedUses, ca.validityPeriodHours]).to.deep.equal([
            true,
            ["cert_signing", "crl_signing"],
            87600,
        ]);
        expect(ofType(resources, "tls:index/locallySignedCert:LocallySignedCert").map((c) => c.name)).to.have.members([
            "pki-server",
            "pki-metrics-agent",
            "pki-log-agent",
        ]);
    });

    it("gives the server certificate the DNS and IP SANs and server_auth", async () => {
        new ClusterPki("pki", {
            clusterId: "c1",
            serverDnsNames: ["gw.example.com", "gw2.example.com"],
            serverIpAddresses: ["10.0.0.7"],
        });
        const resources = await settledResources();
        const request = findResource(resources, "tls:index/certRequest:CertRequest", "pki-server").inputs;
        expect([request.dnsNames, request.ipAddresses]).to.deep.equal([
            ["gw.example.com", "gw2.example.com"],
            ["10.0.0.7"],
        ]);
        const cert = findResource(resources, "tls:index/locallySignedCert:LocallySignedCert", "pki-server").inputs;
        expect(cert.allowedUses).to.deep.equal(["digital_signature", "server_auth"]);
    });

    it("gives each agent its own common name and client_auth", async () => {
        new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com"] });
        const resources = await settledResources();
        const cn = (role: string) =>
            findResource(resources, "tls:index/certRequest:CertRequest", `pki-${role}`).inputs.subject.commonName;
        expect([cn("metrics-agent"), cn("log-agent")]).to.deep.equal(["mla-metrics-agent.c1", "mla-log-agent.c1"]);
        for (const role of ["metrics-agent", "log-agent"]) {
            const cert = findResource(resources, "tls:index/locallySignedCert:LocallySignedCert", `pki-${role}`).inputs;
            expect(cert.allowedUses).to.deep.equal(["digital_signature", "client_auth"]);
        }
    });

    it("uses one year validity renewed 30 days early by default, and takes other values", async () => {
        new ClusterPki("a", { clusterId: "c1", serverDnsNames: ["gw.example.com"] });
        new ClusterPki("b", {
            clusterId: "c1",
            serverDnsNames: ["gw.example.com"],
            validityHours: 48,
            earlyRenewalHours: 12,
        });
        const resources = await settledResources();
        const hours = (name: string) => {
            const c = findResource(resources, "tls:index/locallySignedCert:LocallySignedCert", name).inputs;
            return [c.validityPeriodHours, c.earlyRenewalHours];
        };
        expect([hours("a-server"), hours("b-log-agent")]).to.deep.equal([
            [8760, 720],
            [48, 12],
        ]);
    });

    it("marks every private-key output secret", async () => {
        const pki = new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com"] });
        const secret = await Promise.all(
            [pki.serverKeyPem, pki.metricsClientKeyPem, pki.logsClientKeyPem].map(isSecretOutput),
        );
        expect(secret).to.deep.equal([true, true, true]);
        expect(await isSecretOutput(pki.caCertPem)).to.equal(false);
    });

    it("makes a 48-character read token of letters and digits, secret", async () => {
        const pki = new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com"] });
        const token = findResource(
            await settledResources(),
            "random:index/randomPassword:RandomPassword",
            "pki-read-token",
        ).inputs;
        expect([token.length, token.special, token.keepers]).to.deep.equal([48, false, { credentialsGeneration: "0" }]);
        expect(await isSecretOutput(pki.readToken)).to.equal(true);
    });

    it("keeps the original names at generation 0, so existing stacks see no change", async () => {
        new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com"], generation: 0 });
        const names = (await settledResources()).filter((r) => r.custom).map((r) => r.name);
        expect(names.sort()).to.deep.equal(
            [
                ...["ca", "server", "metrics-agent", "log-agent"].map((n) => `pki-${n}`),
                ...["server", "metrics-agent", "log-agent"].flatMap((n) => [`pki-${n}`, `pki-${n}`]),
                "pki-ca",
                "pki-read-token",
            ].sort(),
        );
    });

    it("gives the CA, every key, certificate and the read token a new URN (and keeper) when the generation is raised", async () => {
        new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com"], generation: 0 });
        const before = (await settledResources()).filter((r) => r.custom);
        resetResources();
        new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com"], generation: 3 });
        const after = (await settledResources()).filter((r) => r.custom);
        const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
        // Same types and count, and not one URN shared: Pulumi creates all anew and deletes the old ones.
        expect(after.map((r) => r.type).sort()).to.deep.equal(before.map((r) => r.type).sort());
        const shared = after.map(key).filter((k) => before.map(key).includes(k));
        expect(shared).to.deep.equal([]);
        expect(
            findResource(after, "tls:index/selfSignedCert:SelfSignedCert", "pki-g3-ca").inputs.isCaCertificate,
        ).to.equal(true);
        expect(
            findResource(after, "random:index/randomPassword:RandomPassword", "pki-g3-read-token").inputs.keepers,
        ).to.deep.equal({ credentialsGeneration: "3" });
        // The new certificates are signed by the new CA (its mocked PEM carries its name).
        const signed = findResource(
            after,
            "tls:index/locallySignedCert:LocallySignedCert",
            "pki-g3-metrics-agent",
        ).inputs;
        expect(signed.caCertPem).to.include("MOCK-pki-g3-ca");
    });

    it("refuses invalid arguments with every problem at once", () => {
        expect(
            () =>
                new ClusterPki("bad", {
                    clusterId: "c1",
                    serverDnsNames: ["bad name"],
                    serverIpAddresses: ["300.1.1.1"],
                    validityHours: 10,
                    earlyRenewalHours: 10,
                    generation: -1,
                }),
        ).to.throw(
            [
                'invalid ClusterPki "bad": 4 problems:',
                '  - serverDnsNames: "bad name" is not a DNS name',
                '  - serverIpAddresses: "300.1.1.1" is not an IP address',
                "  - earlyRenewalHours: 10 must be a whole number >= 0 and below validityHours (10)",
                "  - generation: -1 must be a whole number >= 0",
            ].join("\n"),
        );
    });
});
