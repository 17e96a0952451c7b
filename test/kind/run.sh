#!/usr/bin/env bash
# Opt-in end-to-end suite: two kind clusters, the seed stack and one cluster stack deployed with
# the Pulumi CLI, then test/kind/checks.kind.ts. See test/kind/README.md. CI does not run it.
#
#   test/kind/run.sh [--keep] [--no-offboard]
#
#   --keep         leave the clusters, the stacks and the scratch directory up; print how to
#                  re-run the checks and how to tear down by hand
#   --no-offboard  skip the offboarding check (it destroys the cluster stack)
#
# Environment (all optional): MLA_KIND_NODE_IMAGE (kind node image), MLA_KIND_NETWORK (docker
# network, default mla-kind), PULUMI_CONFIG_PASSPHRASE (default: a random one, kept in the
# scratch directory).
set -euo pipefail

KEEP=0
OFFBOARD=1
for arg in "$@"; do
    case "$arg" in
        --keep) KEEP=1 ;;
        --no-offboard) OFFBOARD=0 ;;
        -h | --help)
            sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "unknown argument: $arg (see --help)" >&2
            exit 2
            ;;
    esac
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/test/kind"
SEED_CLUSTER=mla-seed
USER_CLUSTER=mla-user
SEED_STACK=seed-kind
CLUSTER_STACK=cluster-kind
# kind v0.29.0's default node image (Kubernetes 1.33.1); pinned by tag.
NODE_IMAGE="${MLA_KIND_NODE_IMAGE:-kindest/node:v1.33.1}"
NETWORK="${MLA_KIND_NETWORK:-mla-kind}"

log() { printf '[kind-suite %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

# ---- prerequisites: report everything missing at once ----------------------------------------
check_prerequisites() {
    local missing=()
    local tool
    for tool in docker kind kubectl pulumi node npx tar; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool: not on PATH")
    done
    if command -v docker >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
        missing+=("docker: the daemon is not reachable ('docker info' fails); start Docker or fix permissions")
    fi
    if command -v node >/dev/null 2>&1; then
        local major
        major="$(node -p 'process.versions.node.split(".")[0]')"
        [ "$major" -ge 20 ] || missing+=("node: version 20 or later needed, found $(node --version)")
    fi
    if command -v pulumi >/dev/null 2>&1; then
        local pv
        pv="$(pulumi version 2>/dev/null || true)"
        case "$pv" in
            v3.*) ;;
            *) missing+=("pulumi: Pulumi CLI 3.x needed, found '${pv:-unknown}'") ;;
        esac
    fi
    [ -d "$REPO/node_modules/@pulumi/pulumi" ] || missing+=("node_modules: run 'npm ci' in $REPO first")
    if command -v kind >/dev/null 2>&1; then
        local existing
        existing="$(kind get clusters 2>/dev/null || true)"
        local name
        for name in "$SEED_CLUSTER" "$USER_CLUSTER"; do
            if printf '%s\n' "$existing" | grep -qx "$name"; then
                missing+=("kind cluster '$name' already exists; delete it first: kind delete cluster --name $name")
            fi
        done
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        log "missing prerequisites:"
        printf '  - %s\n' "${missing[@]}" >&2
        log "versions this suite was written for: see test/kind/README.md"
        exit 2
    fi
}
check_prerequisites

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mla-kind.XXXXXX")"
chmod 700 "$WORK"
PROJECT="$WORK/project"
SEED_KUBECONFIG="$WORK/seed.kubeconfig"
USER_KUBECONFIG="$WORK/user.kubeconfig"

# A file backend in the scratch directory. PULUMI_BACKEND_URL has the effect of
# 'pulumi login file://$WORK/state' without changing the backend you are logged in to.
mkdir -p "$WORK/state"
export PULUMI_BACKEND_URL="file://$WORK/state"
export PULUMI_SKIP_UPDATE_CHECK=true
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ]; then
    PULUMI_CONFIG_PASSPHRASE="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
fi
export PULUMI_CONFIG_PASSPHRASE
(umask 077 && printf '%s\n' "$PULUMI_CONFIG_PASSPHRASE" >"$WORK/passphrase")

CREATED_SEED=0
CREATED_USER=0
SEED_STACK_UP=0
CLUSTER_STACK_UP=0

in_project() { (cd "$PROJECT" && "$@"); }

print_keep_help() {
    cat >&2 <<EOF

Left running (--keep). Scratch directory: $WORK
  export PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL
  export PULUMI_CONFIG_PASSPHRASE="\$(cat $WORK/passphrase)"
  export KUBECONFIG=$SEED_KUBECONFIG   # or $USER_KUBECONFIG
Re-run the checks (from $REPO):
  MLA_KIND_SEED_KUBECONFIG=$SEED_KUBECONFIG MLA_KIND_USER_KUBECONFIG=$USER_KUBECONFIG \\
  MLA_KIND_PROJECT_DIR=$PROJECT MLA_KIND_SEED_STACK=$SEED_STACK MLA_KIND_CLUSTER_STACK=$CLUSTER_STACK \\
  MLA_KIND_CLUSTER_CONFIG=$PROJECT/Pulumi.$CLUSTER_STACK.yaml \\
  npx mocha --require ts-node/register/transpile-only test/kind/checks.kind.ts
Tear down:
  (cd $PROJECT && pulumi destroy --yes --stack $CLUSTER_STACK && pulumi destroy --yes --stack $SEED_STACK)
  kind delete cluster --name $USER_CLUSTER; kind delete cluster --name $SEED_CLUSTER
  docker network rm $NETWORK; rm -rf $WORK
EOF
}

# Teardown runs on every exit, also after a failure or Ctrl-C; each step continues on error.
teardown() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$KEEP" = 1 ]; then
        print_keep_help
        exit "$rc"
    fi
    log "tearing down (exit code so far: $rc)"
    if [ "$CLUSTER_STACK_UP" = 1 ]; then
        in_project pulumi destroy --yes --skip-preview --non-interactive --stack "$CLUSTER_STACK" ||
            log "warning: pulumi destroy of $CLUSTER_STACK failed; the kind clusters are deleted anyway"
    fi
    if [ "$SEED_STACK_UP" = 1 ]; then
        in_project pulumi destroy --yes --skip-preview --non-interactive --stack "$SEED_STACK" ||
            log "warning: pulumi destroy of $SEED_STACK failed; the kind clusters are deleted anyway"
    fi
    [ "$CREATED_USER" = 1 ] && { kind delete cluster --name "$USER_CLUSTER" --kubeconfig "$USER_KUBECONFIG" || log "warning: kind delete $USER_CLUSTER failed"; }
    [ "$CREATED_SEED" = 1 ] && { kind delete cluster --name "$SEED_CLUSTER" --kubeconfig "$SEED_KUBECONFIG" || log "warning: kind delete $SEED_CLUSTER failed"; }
    # Only our own, now empty network; 'docker network rm' refuses one that is still in use.
    docker network rm "$NETWORK" >/dev/null 2>&1 || true
    rm -rf "$WORK"
    log "done (exit code $rc)"
    exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# ---- kind clusters on one docker network --------------------------------------------------------
# Both clusters join $NETWORK, so pods of the user cluster reach the seed node's address.
export KIND_EXPERIMENTAL_DOCKER_NETWORK="$NETWORK"
log "creating kind cluster $SEED_CLUSTER ($NODE_IMAGE, network $NETWORK)"
CREATED_SEED=1
kind create cluster --name "$SEED_CLUSTER" --image "$NODE_IMAGE" --kubeconfig "$SEED_KUBECONFIG" --wait 180s
log "creating kind cluster $USER_CLUSTER"
CREATED_USER=1
kind create cluster --name "$USER_CLUSTER" --image "$NODE_IMAGE" --kubeconfig "$USER_KUBECONFIG" --wait 180s
chmod 600 "$SEED_KUBECONFIG" "$USER_KUBECONFIG"

SEED_NODE="$SEED_CLUSTER-control-plane"
SEED_IP="$(docker inspect -f "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$SEED_NODE")"
[ -n "$SEED_IP" ] || die "no address of $SEED_NODE on docker network $NETWORK"
log "seed node $SEED_NODE is at $SEED_IP"

# ---- a scratch copy of the project --------------------------------------------------------------
# Pulumi writes Pulumi.<stack>.yaml (encryption salt, secrets) next to Pulumi.yaml; the copy keeps
# that out of the working tree. node_modules is linked, not copied.
mkdir -p "$PROJECT"
tar -C "$REPO" --exclude=./node_modules --exclude=./.git -cf - . | tar -C "$PROJECT" -xf -
ln -s "$REPO/node_modules" "$PROJECT/node_modules"
cp "$HERE/Pulumi.$SEED_STACK.yaml" "$PROJECT/Pulumi.$SEED_STACK.yaml"
cp "$HERE/Pulumi.$CLUSTER_STACK.yaml" "$PROJECT/Pulumi.$CLUSTER_STACK.yaml"

# ---- seed stack ---------------------------------------------------------------------------------
log "pulumi: seed stack $SEED_STACK"
in_project pulumi stack init "$SEED_STACK" --secrets-provider passphrase --non-interactive
# Kubeconfigs go in through stdin, so they never appear on a command line.
in_project pulumi config set --secret mla:seedKubeconfig --stack "$SEED_STACK" <"$SEED_KUBECONFIG"
SEED_STACK_UP=1
in_project pulumi up --yes --skip-preview --non-interactive --stack "$SEED_STACK"

# ---- cluster stack ------------------------------------------------------------------------------
log "pulumi: cluster stack $CLUSTER_STACK"
in_project pulumi stack init "$CLUSTER_STACK" --secrets-provider passphrase --non-interactive
in_project pulumi config set --secret mla:seedKubeconfig --stack "$CLUSTER_STACK" <"$SEED_KUBECONFIG"
in_project pulumi config set --secret mla:userKubeconfig --stack "$CLUSTER_STACK" <"$USER_KUBECONFIG"
# The seed node's address as an extra IP SAN, so the NodePort can also be tried by IP from the network.
in_project pulumi config set --path 'mla:gateway.externalIps[0]' "$SEED_IP" --stack "$CLUSTER_STACK"
CLUSTER_STACK_UP=1
in_project pulumi up --yes --skip-preview --non-interactive --stack "$CLUSTER_STACK"

output() { in_project pulumi stack output "$@" --stack "$CLUSTER_STACK" --non-interactive; }
SEED_NS="$(output seedNamespace)"
WRITE_SVC="$(output gatewayWriteService)"
GATEWAY_HOST="$(output gatewayHostnames --json | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8"))[0])')"

# ---- make https://<gateway host>:443 reach the write Service's NodePort -----------------------
# The hostname is <svc>.<ns>.svc.cluster.local of a selectorless Service in the USER cluster; its
# EndpointSlice sends port 443 to <seed node IP>:<NodePort>. Only known after the cluster stack
# is up (the NodePort is allocated then); the agents retry until it exists.
case "$GATEWAY_HOST" in
    *.*.svc.cluster.local) ;;
    *) die "gateway hostname $GATEWAY_HOST is not <svc>.<ns>.svc.cluster.local; see test/kind/README.md" ;;
esac
BRIDGE_SVC="${GATEWAY_HOST%%.*}"
BRIDGE_NS="${GATEWAY_HOST#*.}"
BRIDGE_NS="${BRIDGE_NS%%.*}"
NODE_PORT="$(kubectl --kubeconfig "$SEED_KUBECONFIG" -n "$SEED_NS" get svc "$WRITE_SVC" -o jsonpath='{.spec.ports[?(@.name=="https")].nodePort}')"
[ -n "$NODE_PORT" ] || die "service $SEED_NS/$WRITE_SVC has no NodePort (is mla:gateway.serviceType NodePort?)"
log "bridge: https://$GATEWAY_HOST:443 (user cluster) -> $SEED_IP:$NODE_PORT (seed NodePort of $SEED_NS/$WRITE_SVC)"
kubectl --kubeconfig "$USER_KUBECONFIG" apply -f - <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $BRIDGE_NS
---
apiVersion: v1
kind: Service
metadata:
  name: $BRIDGE_SVC
  namespace: $BRIDGE_NS
spec:
  ports:
    - name: https
      port: 443
      protocol: TCP
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: $BRIDGE_SVC-seed
  namespace: $BRIDGE_NS
  labels:
    kubernetes.io/service-name: $BRIDGE_SVC
    endpointslice.kubernetes.io/managed-by: mla-kind-suite
addressType: IPv4
ports:
  - name: https
    port: $NODE_PORT
    protocol: TCP
endpoints:
  - addresses: ["$SEED_IP"]
    conditions:
      ready: true
EOF

# ---- checks -------------------------------------------------------------------------------------
export MLA_KIND_SEED_KUBECONFIG="$SEED_KUBECONFIG"
export MLA_KIND_USER_KUBECONFIG="$USER_KUBECONFIG"
export MLA_KIND_PROJECT_DIR="$PROJECT"
export MLA_KIND_SEED_STACK="$SEED_STACK"
export MLA_KIND_CLUSTER_STACK="$CLUSTER_STACK"
export MLA_KIND_CLUSTER_CONFIG="$PROJECT/Pulumi.$CLUSTER_STACK.yaml"
mocha_args=(--require ts-node/register/transpile-only test/kind/checks.kind.ts)
[ "$OFFBOARD" = 1 ] || mocha_args+=(--grep offboarding --invert)
log "running the checks (bounded waits; typically 10-20 minutes)"
(cd "$REPO" && npx mocha "${mocha_args[@]}")
log "all checks passed"
