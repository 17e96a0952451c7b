/** ClusterPki under mocks: its resources, their shape, and the secrecy of every private key. */
import { expect } from "chai";
import { installMocks, resetResources, settledResources, findResource, ofType, isSecretOutput } from "../support/mocks";
import { ClusterPki } from "../../components/pki";

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
        expect([ca.isCaCertificate, ca.allowedUses, ca.validityPeriodHours]).to.deep.equal([true, ["cert_signing", "crl_signing"], 87600]);
        expect(ofType(resources, "tls:index/locallySignedCert:LocallySignedCert").map((c) => c.name)).to.have.members([
            "pki-server",
            "pki-metrics-agent",
            "pki-log-agent",
        ]);
    });

    it("gives the server certificate the DNS and IP SANs and server_auth", async () => {
        new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com", "gw2.example.com"], serverIpAddresses: ["10.0.0.7"] });
        const resources = await settledResources();
        const request = findResource(resources, "tls:index/certRequest:CertRequest", "pki-server").inputs;
        expect([request.dnsNames, request.ipAddresses]).to.deep.equal([["gw.example.com", "gw2.example.com"], ["10.0.0.7"]]);
        const cert = findResource(resources, "tls:index/locallySignedCert:LocallySignedCert", "pki-server").inputs;
        expect(cert.allowedUses).to.deep.equal(["digital_signature", "server_auth"]);
    });

    it("gives each agent its own common name and client_auth", async () => {
        new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com"] });
        const resources = await settledResources();
        const cn = (role: string) => findResource(resources, "tls:index/certRequest:CertRequest", `pki-${role}`).inputs.subject.commonName;
        expect([cn("metrics-agent"), cn("log-agent")]).to.deep.equal(["mla-metrics-agent.c1", "mla-log-agent.c1"]);
        for (const role of ["metrics-agent", "log-agent"]) {
            const cert = findResource(resources, "tls:index/locallySignedCert:LocallySignedCert", `pki-${role}`).inputs;
            expect(cert.allowedUses).to.deep.equal(["digital_signature", "client_auth"]);
        }
    });

    it("uses one year validity renewed 30 days early by default, and takes other values", async () => {
        new ClusterPki("a", { clusterId: "c1", serverDnsNames: ["gw.example.com"] });
        new ClusterPki("b", { clusterId: "c1", serverDnsNames: ["gw.example.com"], validityHours: 48, earlyRenewalHours: 12 });
        const resources = await settledResources();
        const hours = (name: string) => {
            const c = findResource(resources, "tls:index/locallySignedCert:LocallySignedCert", name).inputs;
            return [c.validityPeriodHours, c.earlyRenewalHours];
        };
        expect([hours("a-server"), hours("b-log-agent")]).to.deep.equal([[8760, 720], [48, 12]]);
    });

    it("marks every private-key output secret", async () => {
        const pki = new ClusterPki("pki", { clusterId: "c1", serverDnsNames: ["gw.example.com"] });
        const secret = await Promise.all([pki.serverKeyPem, pki.metricsClientKeyPem, pki.logsClientKeyPem].map(isSecretOutput));
        expect(secret).to.deep.equal([true, true, true]);
        expect(await isSecretOutput(pki.caCertPem)).to.equal(false);
    });

    it("refuses invalid arguments with every problem at once", () => {
        expect(() =>
            new ClusterPki("bad", { clusterId: "c1", serverDnsNames: ["bad name"], serverIpAddresses: ["300.1.1.1"], validityHours: 10, earlyRenewalHours: 10 }),
        ).to.throw(
            [
                'invalid ClusterPki "bad": 3 problems:',
                '  - serverDnsNames: "bad name" is not a DNS name',
                '  - serverIpAddresses: "300.1.1.1" is not an IP address',
                "  - earlyRenewalHours: 10 must be a whole number >= 0 and below validityHours (10)",
            ].join("\n"),
        );
    });
});
