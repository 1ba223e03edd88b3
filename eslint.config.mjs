import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: [".next/**", ".next-*/**", "build/**", ".data/**", "node_modules/**", "lib/chain/generated/**", "next-env.d.ts"],
  },
  {
    // Truffle tests, migrations and the gas bench are CommonJS run by Truffle/Node.
    files: ["test/contracts/**/*.js", "migrations/**/*.js", "bench/gas/**/*.js", "truffle-config.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
];

export default config;
