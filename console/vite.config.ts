// Builds the console into the Python package, where Starlette serves it at /console.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/console/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "../app/console_static",
    emptyOutDir: true,
    // The build is committed: no source maps, stable file names from content hashes.
    sourcemap: false,
    reportCompressedSize: true,
  },
});
