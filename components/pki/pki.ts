/**
 * One user cluster's private PKI: an ECDSA P-256 CA that exists for this cluster only, the MLA
 * gateway's server certificate, and client certificates for the metrics agent and the log agent.
 *
 * Isolation between tenants rests on this CA: the gateway of cluster A trusts only A's CA, so a
 * certificate of cluster B fails there. Subjects and uses come from `pki-profile.ts`, which the
 * real-nginx tests share.
 *
 * Rotation: `generation` (the cluster spec's `pki.credentialsGeneration`) is part of every child's
 * name from generation 1 on (`<name>-g<N>-ca`, ...). Raising it gives every child a new URN, so one
 * `pulumi up` creates a new CA, new certificates and a new read token, and deletes the old ones;
 * the gateway then trusts only the new CA. Generation 0 keeps the original names, so existing
 * stacks see no change.
 *
 * The read token (`readToken`) is a random secret the gateway's read listener requires; Grafana's
 * datasources of this cluster carry it (see `components/gateway/read-token.ts`).
 *
 * Renewal: @pulumi/tls replaces a certificate on the first `pulumi up` inside its early-renewal
 * window; the new PEM changes the gateway's checksum annotation and the agents' Secrets, so the
 * pods roll without a manual step. The CA lives longer than the leaves (`caValidityHours`) because
 * a new CA invalidates every certificate of the cluster at once.
 */
import { isIP } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { ClusterCertificate } from "./pki-renewal";
import { type CertProfile, PKI_KEY_ALGORITHM, READ_TOKEN_LENGTH, pkiProfile } from "./pki-profile";
import { isDnsLabel } from "../../spec/validation";
import { rejectInvalidArgs } from "../common/invalid-args";

/** Arguments of `ClusterPki`. */
export interface ClusterPkiArgs {
    /** The tenant id; a DNS-1123 label. */
    clusterId: string;
    /** DNS names the agents use to reach the gateway's write listener (server-cert SANs). At least one. */
    serverDnsNames: string[];
    /** IP SANs of the server certificate. Defaults to none. */
    serverIpAddresses?: string[];
    /** Lifetime of the leaf certificates in hours. Defaults to 8760 (one year). */
    validityHours?: number;
    /** Renew this many hours before expiry. Defaults to 720 (30 days). */
    earlyRenewalHours?: number;
    /** Lifetime of the CA in hours. Defaults to 87600 (ten years); must be at least `validityHours`. */
    caValidityHours?: number;
    /** Credentials generation; raising it replaces the CA, every certificate and the read token. Defaults to 0. */
    generation?: number;
}

/** The name prefix of a PKI's children: `name` for generation 0, `name-g<N>` after N rotations. */
export function pkiChildPrefix(name: string, generation: number): string {
    return generation === 0 ? name : `${name}-g${generation}`;
}

const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Private-key outputs of @pulumi/tls that must never appear in plain text. */
const KEY_SECRETS = ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"];

/** Every problem with the arguments, one line each. */
export function clusterPkiProblems(args: ClusterPkiArgs): string[] {
    const problems: string[] = [];
    if (!isDnsLabel(args.clusterId)) problems.push(`clusterId: "${args.clusterId}" must be a DNS-1123 label`);
    if (args.serverDnsNames.length === 0) problems.push("serverDnsNames: at least one DNS name is required");
    for (const name of args.serverDnsNames) {
        if (!DNS_NAME.test(name)) problems.push(`serverDnsNames: "${name}" is not a DNS name`);
    }
    for (const ip of args.serverIpAddresses ?? []) {
        if (isIP(ip) === 0) problems.push(`serverIpAddresses: "${ip}" is not an IP address`);
    }
    const validity = args.validityHours ?? 8760;
    const early = args.earlyRenewalHours ?? 720;
    const caValidity = args.caValidityHours ?? 87600;
    if (!Number.isInteger(validity) || validity < 1)
        problems.push(`validityHours: ${validity} must be a whole number >= 1`);
    if (!Number.isInteger(early) || early < 0 || early >= validity) {
        problems.push(`earlyRenewalHours: ${early} must be a whole number >= 0 and below validityHours (${validity})`);
    }
    if (!Number.isInteger(caValidity) || caValidity < validity) {
        problems.push(`caValidityHours: ${caValidity} must be a whole number >= validityHours (${validity})`);
    }
    const generation = args.generation ?? 0;
    if (!Number.isInteger(generation) || generation < 0)
        problems.push(`generation: ${generation} must be a whole number >= 0`);
    return problems;
}

/** A cluster's CA, gateway server certificate and agent client certificates. */
export class ClusterPki extends pulumi.ComponentResource {
    /** The cluster CA certificate (PEM); the gateway trusts client certificates signed by it. */
    readonly caCertPem: pulumi.Output<string>;
    readonly serverCertPem: pulumi.Output<string>;
    /** Secret. */
    readonly serverKeyPem: pulumi.Output<string>;
    readonly metricsClientCertPem: pulumi.Output<string>;
    /** Secret. */
    readonly metricsClientKeyPem: pulumi.Output<string>;
    readonly logsClientCertPem: pulumi.Output<string>;
    /** Secret. */
    readonly logsClientKeyPem: pulumi.Output<string>;
    /** Secret: the read listener's token (48 characters of A-Za-z0-9). */
    readonly readToken: pulumi.Output<string>;
    /** The credentials generation these outputs belong to. */
    readonly generation: number;
    /**
     * Each certificate's `notAfter` (RFC 3339), by the names of `components/pki/pki-renewal.ts`: the
     * service's reconciler renews them before they expire.
     */
    readonly certificateNotAfter: pulumi.Output<Record<ClusterCertificate, string>>;

    constructor(name: string, args: ClusterPkiArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Renamed from mla:cluster:Pki when the folders were aligned with the type tokens; the alias keeps
        // existing stacks' resources in place instead of replacing them.
        super(
            "mla:pki:ClusterPki",
            name,
            {},
            { ...opts, aliases: [...(opts.aliases ?? []), { type: "mla:cluster:Pki" }] },
        );
        const problems = clusterPkiProblems(args);
        rejectInvalidArgs(this, "ClusterPki", name, problems);

        const validityPeriodHours = args.validityHours ?? 8760;
        const earlyRenewalHours = args.earlyRenewalHours ?? 720;
        const profile = pkiProfile(args.clusterId);
        const generation = args.generation ?? 0;
        const prefix = pkiChildPrefix(name, generation);

        const caKey = this.key(`${prefix}-ca`);
        const ca = new tls.SelfSignedCert(
            `${prefix}-ca`,
            {
                privateKeyPem: caKey.privateKeyPem,
                subject: subject(profile.ca),
                isCaCertificate: true,
                allowedUses: profile.ca.allowedUses,
                validityPeriodHours: args.caValidityHours ?? 87600,
                earlyRenewalHours,
                setSubjectKeyId: true,
            },
            { parent: this },
        );
        const issue = (role: string, cert: CertProfile, sans: { dnsNames?: string[]; ipAddresses?: string[] } = {}) => {
            const key = this.key(`${prefix}-${role}`);
            const request = new tls.CertRequest(
                `${prefix}-${role}`,
                { privateKeyPem: key.privateKeyPem, subject: subject(cert), ...sans },
                { parent: this },
            );
            const signed = new tls.LocallySignedCert(
                `${prefix}-${role}`,
                {
                    certRequestPem: request.certRequestPem,
                    caPrivateKeyPem: caKey.privateKeyPem,
                    caCertPem: ca.certPem,
                    allowedUses: cert.allowedUses,
                    validityPeriodHours,
                    earlyRenewalHours,
                    setSubjectKeyId: true,
                },
                { parent: this },
            );
            return {
                certPem: signed.certPem,
                keyPem: pulumi.secret(key.privateKeyPem),
                notAfter: signed.validityEndTime,
            };
        };

        const server = issue("server", profile.server, {
            dnsNames: args.serverDnsNames,
            ipAddresses: args.serverIpAddresses ?? [],
        });
        const metrics = issue("metrics-agent", profile.metricsAgent);
        const logs = issue("log-agent", profile.logAgent);
        // Letters and digits only: safe in the nginx map and in an HTTP header. The keeper repeats
        // the generation, so the token is replaced even if the name scheme ever changes.
        const token = new random.RandomPassword(
            `${prefix}-read-token`,
            { length: READ_TOKEN_LENGTH, special: false, keepers: { credentialsGeneration: String(generation) } },
            { parent: this, additionalSecretOutputs: ["result"] },
        );

        this.caCertPem = ca.certPem;
        this.serverCertPem = server.certPem;
        this.serverKeyPem = server.keyPem;
        this.metricsClientCertPem = metrics.certPem;
        this.metricsClientKeyPem = metrics.keyPem;
        this.logsClientCertPem = logs.certPem;
        this.logsClientKeyPem = logs.keyPem;
        this.readToken = pulumi.secret(token.result);
        this.generation = generation;
        this.certificateNotAfter = pulumi.output({
            ca: ca.validityEndTime,
            server: server.notAfter,
            metricsAgent: metrics.notAfter,
            logAgent: logs.notAfter,
        });
        this.registerOutputs({
            certificateNotAfter: this.certificateNotAfter,
            readToken: this.readToken,
            caCertPem: this.caCertPem,
            serverCertPem: this.serverCertPem,
            serverKeyPem: this.serverKeyPem,
            metricsClientCertPem: this.metricsClientCertPem,
            metricsClientKeyPem: this.metricsClientKeyPem,
            logsClientCertPem: this.logsClientCertPem,
            logsClientKeyPem: this.logsClientKeyPem,
        });
    }

    private key(name: string): tls.PrivateKey {
        return new tls.PrivateKey(
            name,
            { ...PKI_KEY_ALGORITHM },
            { parent: this, additionalSecretOutputs: KEY_SECRETS },
        );
    }
}

function subject(cert: CertProfile): tls.types.input.SelfSignedCertSubject {
    return { commonName: cert.commonName, organization: cert.organization };
}
