/**
 * Removes secret values from text that came from the engine (diagnostics, error messages) before
 * it is stored, logged or streamed. Engines sometimes echo a failing input; a kubeconfig's token or
 * key line must not reach an operation record because of that.
 */

/** Lines of a secret shorter than this are too common ("apiVersion: v1") to be worth hiding. */
const MIN_FRAGMENT = 16;

/** Builds a scrubber for `secrets`: whole values and each long line of them become `[redacted]`. */
export function secretScrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
    const fragments = new Set<string>();
    for (const secret of secrets) {
        if (!secret) continue;
        if (secret.length >= 4) fragments.add(secret);
        for (const line of secret.split(/\r?\n/)) {
            const trimmed = line.trim();
            if (trimmed.length >= MIN_FRAGMENT) fragments.add(trimmed);
            // `token: abc...`: the value alone may be echoed without its key.
            const value = trimmed.replace(/^[-\w. ]+:\s*/, "").replace(/^["']|["']$/g, "");
            if (value.length >= MIN_FRAGMENT) fragments.add(value);
        }
    }
    // Longest first, so a whole document is replaced before its lines are.
    const ordered = [...fragments].sort((a, b) => b.length - a.length);
    // Most engine messages hold no secret: a fragment is only replaced where it occurs.
    return (text: string) =>
        ordered.reduce(
            (acc, f) => (f.length <= acc.length && acc.includes(f) ? acc.split(f).join("[redacted]") : acc),
            text,
        );
}
