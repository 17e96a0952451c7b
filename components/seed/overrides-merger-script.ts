/**
 * The shell script of the overrides merger (pure renderer).
 *
 * Cortex and Loki each read ONE runtime-config file, but every cluster stack owns only its own
 * tenant's limits. Each stack therefore writes a fragment ConfigMap (label
 * `mla.k8c.io/overrides=<backend>`, key `overrides.yaml`, lines indented by two spaces); this
 * script lists them, concatenates the fragments in ConfigMap-name order under one `overrides:`
 * key, and patches the result into the runtime ConfigMap the backend mounts. A stack can thus
 * never overwrite or delete another tenant's entry, and offboarding (deleting the fragment) drops
 * exactly that tenant on the next round.
 *
 * A fragment is merged only if its first line is exactly `  "<tenant>":`, where `<tenant>` is the
 * value of the ConfigMap's tenant label (`mla.k8c.io/cluster-id`, set by the tenant component),
 * and every other line is indented by at least four spaces (or blank): one key, the owner's own.
 * Anything else (a foreign tenant's key, a second key, a stray top-level line) is skipped with a
 * warning rather than written, so one bad fragment can neither break nor override another
 * tenant's limits.
 */

/** What one merger loop needs. */
export interface MergerScriptArgs {
    /** The namespace holding the fragments and the target ConfigMap. */
    namespace: string;
    /** Label selector of the fragments, `key=value`. */
    selector: string;
    /** The fragments' data key. */
    fragmentKey: string;
    /** The label whose value names the fragment's tenant (`TENANT_ID_LABEL`, `mla.k8c.io/cluster-id`). */
    tenantLabel: string;
    /** The runtime ConfigMap to patch. */
    targetConfigMap: string;
    /** Its data key. */
    targetKey: string;
    /** Seconds between rounds. */
    intervalSeconds: number;
}

const SAFE = /^[A-Za-z0-9._/=-]+$/;

/** A data key as a kubectl JSONPath member: dots must be escaped. */
function jsonPathKey(key: string): string {
    return key.replace(/\./g, "\\.");
}

/** Renders the merger script; throws when an argument could break out of its shell quoting. */
export function renderMergerScript(args: MergerScriptArgs): string {
    const problems = (["namespace", "selector", "fragmentKey", "tenantLabel", "targetConfigMap", "targetKey"] as const)
        .filter((k) => !SAFE.test(args[k]))
        .map((k) => `${k} ${JSON.stringify(args[k])} has characters outside [A-Za-z0-9._/=-]`);
    if (!Number.isInteger(args.intervalSeconds) || args.intervalSeconds < 1) {
        problems.push(`intervalSeconds must be a whole number >= 1, got ${args.intervalSeconds}`);
    }
    if (problems.length > 0) throw new Error(`overrides merger script: ${problems.join("; ")}`);
    return `#!/bin/sh
# Merges per-tenant override fragments into one runtime-config ConfigMap (rendered by mla).
set -u
NAMESPACE='${args.namespace}'
SELECTOR='${args.selector}'
TARGET='${args.targetConfigMap}'
TARGET_KEY='${args.targetKey}'
INTERVAL=${args.intervalSeconds}
WORK="\${TMPDIR:-/tmp}/mla-merger-$$"
mkdir -p "$WORK"

# Prints the merged runtime config; fails (printing nothing useful) when any read fails, so a
# partial listing is never written.
render() {
  names=$(kubectl get configmaps -n "$NAMESPACE" -l "$SELECTOR" -o 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}') || return 1
  names=$(printf '%s\\n' "$names" | LC_ALL=C sort)
  out='overrides:'
  count=0
  for name in $names; do
    # One read: the tenant label on the first line, the fragment after it (same object version).
    raw=$(kubectl get configmap -n "$NAMESPACE" "$name" -o 'jsonpath={.metadata.labels.${jsonPathKey(args.tenantLabel)}}{"\\n"}{.data.${jsonPathKey(args.fragmentKey)}}') || return 1
    tenant=$(printf '%s\\n' "$raw" | sed -n 1p)
    fragment=$(printf '%s\\n' "$raw" | sed 1d)
    [ -n "$fragment" ] || continue
    if [ -z "$tenant" ]; then
      echo "overrides-merger: skipping $name: no ${args.tenantLabel} label" >&2
      continue
    fi
    first=$(printf '%s\\n' "$fragment" | sed -n 1p)
    if [ "$first" != "  \\"$tenant\\":" ]; then
      echo "overrides-merger: skipping $name: the first line must be exactly '  \\"$tenant\\":'" >&2
      continue
    fi
    if printf '%s\\n' "$fragment" | sed 1d | grep -q -v -e '^    ' -e '^ *$'; then
      echo "overrides-merger: skipping $name: every line after the first must be indented by four spaces" >&2
      continue
    fi
    out=$(printf '%s\\n%s' "$out" "$fragment")
    count=$((count + 1))
  done
  if [ "$count" -eq 0 ]; then out='overrides: {}'; fi
  printf '%s\\n' "$out"
}

sync_once() {
  merged=$(render) || { echo "overrides-merger: reading fragments failed; keeping the current config" >&2; return 1; }
  live=$(kubectl get configmap -n "$NAMESPACE" "$TARGET" -o 'jsonpath={.data.${jsonPathKey(args.targetKey)}}') || return 1
  [ "$live" = "$merged" ] && return 0
  { printf 'data:\\n  %s: |\\n' "$TARGET_KEY"; printf '%s\\n' "$merged" | sed 's/^/    /'; } > "$WORK/patch.yaml"
  kubectl patch configmap "$TARGET" -n "$NAMESPACE" --type merge --patch-file "$WORK/patch.yaml" >/dev/null || return 1
  echo "overrides-merger: updated $TARGET"
}

if [ "\${MLA_MERGER_ONCE:-}" = 1 ]; then
  sync_once
  exit $?
fi
trap 'exit 0' TERM INT
while true; do
  sync_once || true
  sleep "$INTERVAL" &
  wait $!
done
`;
}
