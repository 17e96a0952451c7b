/** A kubeconfig text for tests and benchmarks: one cluster, one token user, one context naming both. */
export function kubeconfig(secret: string, server = "https://10.0.0.1:6443", caData?: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "  - name: c",
        "    cluster:",
        `      server: ${server}`,
        ...(caData === undefined ? [] : [`      certificate-authority-data: ${caData}`]),
        "users:",
        "  - name: u",
        "    user:",
        `      token: ${secret}`,
        "contexts:",
        "  - name: ctx",
        "    context: { cluster: c, user: u }",
        "current-context: ctx",
        "",
    ].join("\n");
}
