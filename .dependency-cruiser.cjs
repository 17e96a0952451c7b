// The layering rule (STYLE.md, item 21): imports flow one way,
//   spec/ <- components/ <- programs/ <- executors/ <- service/ <- fleet-preview/ <- cli/
// and no module imports from a layer above its own. `npm test` runs it (test/architecture).
const LAYERS = ["spec", "components", "programs", "executors", "service", "fleet-preview", "cli"];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
    name: `no-upward-from-${layer}`,
    comment: `${layer}/ may import only from ${LAYERS.slice(0, i).join(", ") || "nothing of ours"} and itself`,
    severity: "error",
    from: { path: `^${layer}/` },
    to: { path: `^(${LAYERS.slice(i + 1).join("|")})/` },
}));

module.exports = {
    forbidden: [
        ...upward,
        {
            name: "no-circular",
            comment: "a cycle makes two modules one; merge them or move the shared part down",
            severity: "error",
            from: { path: `^(${LAYERS.join("|")})/` },
            to: { circular: true },
        },
        {
            name: "no-http-in-the-core",
            comment: "the service's core speaks domain errors and plain records; only service/http/ knows HTTP",
            severity: "error",
            from: { path: "^service/(operations|store|reconcile|health|input)/" },
            to: { path: "^service/http/" },
        },
        {
            name: "no-production-import-of-tests",
            severity: "error",
            from: { path: `^(${LAYERS.join("|")})/` },
            to: { path: "^(test|bench|scripts)/" },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "^(node_modules|dist|\\.mla)/" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
    },
};
