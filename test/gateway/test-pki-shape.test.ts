/**
 * The test PKI (test/support/pki.ts) issues what ClusterPki issues: same key algorithm, subjects,
 * SANs and usages, read back from the PEMs with @peculiar/x509.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { expect } from "chai";
import { makeClusterPki } from "../support/pki";

function parse(pem: string) {
    const cert = new x509.X509Certificate(pem);
    const usage = cert.getExtension(x509.KeyUsagesExtension);
    const extended = cert.getExtension(x509.ExtendedKeyUsageExtension);
    const basic = cert.getExtension(x509.BasicConstraintsExtension);
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    return {
        subject: cert.subject,
        issuer: cert.issuer,
        curve: (cert.publicKey.algorithm as { namedCurve?: string }).namedCurve,
        isCa: basic?.ca ?? false,
        usage: usage?.usages ?? 0,
        extended: extended?.usages ?? [],
        sans: san?.names.toJSON().map((n) => `${n.type}:${n.value}`) ?? [],
        cert,
    };
}

describe("test PKI shape", () => {
    it("issues an ECDSA P-256 CA allowed only to sign certificates and CRLs", async () => {
        const ca = parse((await makeClusterPki("c1")).ca.certPem);
        expect(ca).to.deep.include({
            subject: "CN=mla-c1-ca, O=cluster-c1",
            curve: "P-256",
            isCa: true,
            usage: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
            extended: [],
        });
    });

    it("issues the server certificate with DNS and IP SANs for server_auth, signed by the CA", async () => {
        const pki = await makeClusterPki("c1", { serverDnsNames: ["gw.example.com"], serverIps: ["10.1.2.3"] });
        const server = parse(pki.server.certPem);
        expect(server).to.deep.include({
            subject: "CN=mla-gateway.cluster-c1, O=cluster-c1",
            issuer: "CN=mla-c1-ca, O=cluster-c1",
            curve: "P-256",
            isCa: false,
            usage: x509.KeyUsageFlags.digitalSignature,
            extended: [x509.ExtendedKeyUsage.serverAuth],
            sans: ["dns:gw.example.com", "ip:10.1.2.3"],
        });
        expect(await server.cert.verify({ publicKey: parse(pki.ca.certPem).cert.publicKey })).to.equal(true);
    });

    it("issues the agents' client certificates with their own common names for client_auth", async () => {
        const pki = await makeClusterPki("c1");
        const [metrics, logs] = [parse(pki.metricsAgent.certPem), parse(pki.logAgent.certPem)];
        expect([metrics.subject, logs.subject]).to.deep.equal([
            "CN=mla-metrics-agent.c1, O=cluster-c1",
            "CN=mla-log-agent.c1, O=cluster-c1",
        ]);
        for (const c of [metrics, logs]) {
            expect(c).to.deep.include({
                curve: "P-256",
                usage: x509.KeyUsageFlags.digitalSignature,
                extended: [x509.ExtendedKeyUsage.clientAuth],
                sans: [],
            });
        }
    });

    it("issues an expired client certificate when asked", async () => {
        const pki = await makeClusterPki("c1");
        const notAfter = new Date(Date.now() - 3600_000);
        const expired = parse(
            (await pki.issueClient("old", { notBefore: new Date(Date.now() - 7200_000), notAfter })).certPem,
        );
        expect(expired.cert.notAfter.getTime()).to.be.below(Date.now());
        expect(expired.subject).to.equal("CN=old, O=cluster-c1");
    });
});
