/**
 * Real certificates for tests, shaped exactly like `ClusterPki`'s (same key algorithm, subjects,
 * SANs and key usages, all taken from `components/pki/pki-profile.ts`), made with Node's WebCrypto and
 * @peculiar/x509 because the mocked @pulumi/tls resources only return fake PEMs.
 *
 * Typical use:
 *   const pki = await makeClusterPki("c1");            // CA + server + metrics-agent + log-agent
 *   writeTlsDir(dir, { ca: pki.ca.certPem, cert: pki.server.certPem, key: pki.server.keyPem });
 *   const expired = await pki.issueClient("old", { notAfter: new Date(Date.now() - 3600_000) });
 */
import { webcrypto } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API loaded first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { type AllowedUse, type CertProfile, pkiProfile } from "../../components/pki/pki-profile";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;
const KEY_PARAMS = { name: "ECDSA", namedCurve: "P-256" } as const;
const HOUR = 3600_000;

/** A certificate and its private key, both PEM (the key as PKCS#8 "PRIVATE KEY"). */
export interface CertMaterial {
    certPem: string;
    keyPem: string;
}

/** Validity window; defaults to one hour ago until one year from now (ClusterPki's 8760 h). */
export interface ValidityOptions {
    notBefore?: Date;
    notAfter?: Date;
}

/** Options for a client certificate issued by a test CA. */
export interface ClientOptions extends ValidityOptions {
    organization?: string;
}

/** One cluster's PKI, as `ClusterPki` would issue it. */
export interface TestClusterPki {
    clusterId: string;
    ca: CertMaterial;
    server: CertMaterial;
    metricsAgent: CertMaterial;
    logAgent: CertMaterial;
    /** Issues another client certificate (client_auth) from this cluster's CA. */
    issueClient(commonName: string, options?: ClientOptions): Promise<CertMaterial>;
    /**
     * Issues a client certificate through an intermediate CA that this cluster's CA signed (which
     * `ClusterPki` never makes): `certPem` is the chain, leaf then intermediate.
     */
    issueThroughIntermediate(commonName: string): Promise<CertMaterial>;
}

/** Options for `makeClusterPki`. */
export interface ClusterPkiOptions {
    /** Server DNS SANs. Defaults to ["localhost", "mla-gateway.cluster-<id>"]. */
    serverDnsNames?: string[];
    /** Server IP SANs. Defaults to ["127.0.0.1"] so loopback tests can verify the server. */
    serverIps?: string[];
}

const KEY_USAGE_BITS: Partial<Record<AllowedUse, number>> = {
    cert_signing: x509.KeyUsageFlags.keyCertSign,
    crl_signing: x509.KeyUsageFlags.cRLSign,
    digital_signature: x509.KeyUsageFlags.digitalSignature,
};
const EXTENDED_USAGES: Partial<Record<AllowedUse, string>> = {
    server_auth: x509.ExtendedKeyUsage.serverAuth,
    client_auth: x509.ExtendedKeyUsage.clientAuth,
};

interface Issuer {
    name: string;
    keys: CryptoKeyPair;
}

async function generateKeys(): Promise<CryptoKeyPair> {
    return (await webcrypto.subtle.generateKey(KEY_PARAMS, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
    const der = await webcrypto.subtle.exportKey("pkcs8", key);
    return x509.PemConverter.encode(der, "PRIVATE KEY") + "\n";
}

function distinguishedName(profile: Pick<CertProfile, "commonName" | "organization">): string {
    return `CN=${profile.commonName}, O=${profile.organization}`;
}

/** The key-usage and extended-key-usage extensions that `allowedUses` stands for. */
function usageExtensions(uses: AllowedUse[]): x509.Extension[] {
    const bits = uses.reduce((acc, use) => acc | (KEY_USAGE_BITS[use] ?? 0), 0);
    const extended = uses.flatMap((use) => (EXTENDED_USAGES[use] ? [EXTENDED_USAGES[use] as string] : []));
    const out: x509.Extension[] = [new x509.KeyUsagesExtension(bits, true)];
    if (extended.length > 0) out.push(new x509.ExtendedKeyUsageExtension(extended, false));
    return out;
}

function window(options: ValidityOptions): { notBefore: Date; notAfter: Date } {
    return {
        notBefore: options.notBefore ?? new Date(Date.now() - HOUR),
        notAfter: options.notAfter ?? new Date(Date.now() + 8760 * HOUR),
    };
}

/** Makes a self-signed ECDSA P-256 CA with the CA profile's uses (cert_signing, crl_signing). */
export async function makeCa(profile: CertProfile, options: ValidityOptions = {}): Promise<CertMaterial & Issuer> {
    const keys = await generateKeys();
    const name = distinguishedName(profile);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
        name,
        keys,
        signingAlgorithm: SIGNING,
        ...window(options),
        extensions: [
            new x509.BasicConstraintsExtension(true, undefined, true),
            ...usageExtensions(profile.allowedUses),
            await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
    });
    return { certPem: cert.toString("pem") + "\n", keyPem: await keyPem(keys.privateKey), name, keys };
}

/** Issues a leaf certificate (ECDSA P-256) for `profile` from `issuer`, with optional SANs. */
export async function issueLeaf(
    issuer: Issuer,
    profile: CertProfile,
    sans: { dns?: string[]; ips?: string[] } = {},
    options: ValidityOptions = {},
): Promise<CertMaterial> {
    const keys = await generateKeys();
    const names: x509.JsonGeneralName[] = [
        ...(sans.dns ?? []).map((value) => ({ type: "dns" as const, value })),
        ...(sans.ips ?? []).map((value) => ({ type: "ip" as const, value })),
    ];
    const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        ...usageExtensions(profile.allowedUses),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ];
    if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
    const cert = await x509.X509CertificateGenerator.create({
        subject: distinguishedName(profile),
        issuer: issuer.name,
        publicKey: keys.publicKey,
        signingKey: issuer.keys.privateKey,
        signingAlgorithm: SIGNING,
        ...window(options),
        extensions,
    });
    return { certPem: cert.toString("pem") + "\n", keyPem: await keyPem(keys.privateKey) };
}

/** Makes a cluster's CA, gateway server certificate and the two agents' client certificates. */
export async function makeClusterPki(clusterId: string, options: ClusterPkiOptions = {}): Promise<TestClusterPki> {
    const profile = pkiProfile(clusterId);
    const ca = await makeCa(profile.ca);
    const server = await issueLeaf(ca, profile.server, {
        dns: options.serverDnsNames ?? ["localhost", profile.server.commonName],
        ips: options.serverIps ?? ["127.0.0.1"],
    });
    const issueClient = (commonName: string, opts: ClientOptions = {}) =>
        issueLeaf(
            ca,
            {
                ...profile.metricsAgent,
                commonName,
                organization: opts.organization ?? profile.metricsAgent.organization,
            },
            {},
            opts,
        );
    const issueThroughIntermediate = async (commonName: string) => {
        const keys = await generateKeys();
        const name = `CN=intermediate.${clusterId}, O=${profile.ca.organization}`;
        const intermediate = await x509.X509CertificateGenerator.create({
            subject: name,
            issuer: ca.name,
            publicKey: keys.publicKey,
            signingKey: ca.keys.privateKey,
            signingAlgorithm: SIGNING,
            ...window({}),
            extensions: [
                new x509.BasicConstraintsExtension(true, undefined, true),
                ...usageExtensions(profile.ca.allowedUses),
                await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
                await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
            ],
        });
        const leaf = await issueLeaf({ name, keys }, { ...profile.metricsAgent, commonName });
        return { certPem: leaf.certPem + intermediate.toString("pem") + "\n", keyPem: leaf.keyPem };
    };
    return {
        clusterId,
        ca: { certPem: ca.certPem, keyPem: ca.keyPem },
        server,
        metricsAgent: await issueLeaf(ca, profile.metricsAgent),
        logAgent: await issueLeaf(ca, profile.logAgent),
        issueClient,
        issueThroughIntermediate,
    };
}

/** Writes `ca.crt`, `tls.crt` and `tls.key` (the layout of a Kubernetes TLS Secret) into `dir`. */
export function writeTlsDir(dir: string, material: { ca: string; cert: string; key: string }): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "ca.crt"), material.ca);
    writeFileSync(join(dir, "tls.crt"), material.cert);
    writeFileSync(join(dir, "tls.key"), material.key, { mode: 0o600 });
}
