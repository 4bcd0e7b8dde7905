// Typed operations from the checked-in schema: every *.graphql file beside a component
// is validated against ../schema.graphql, so a schema change that breaks the console
// fails `npm run codegen` (and `--check` fails when the generated file is stale).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: "src/**/*.graphql",
  generates: {
    "src/generated/graphql.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: "string", Decimal: "string", JSON: "unknown" },
      },
    },
  },
};

export default config;
