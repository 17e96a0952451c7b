// Lint rules for the whole project; `npm run lint` runs them together with the formatter check.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", ".mla/", "bin/", "coverage/"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommended,
    {
        // CommonJS tool configs (.dependency-cruiser.cjs): `module`, `require` and `exports` are Node's.
        files: ["**/*.cjs"],
        languageOptions: {
            sourceType: "commonjs",
            globals: {
                module: "writable",
                exports: "writable",
                require: "readonly",
                __dirname: "readonly",
                process: "readonly",
            },
        },
    },
    {
        files: ["**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            // More than four parameters means one options object (STYLE.md, item 24).
            "max-params": ["error", 4],
            eqeqeq: ["error", "always"],
            "no-console": "off",
        },
    },
    {
        // Tests and benchmarks drive children, fixtures and mocks with loose shapes on purpose.
        files: ["test/**/*.ts", "bench/**/*.ts"],
        rules: { "max-params": "off" },
    },
);
