import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// One build, three faces: the portal at /, the kiosk at /kiosk/, the console at /console/.
export default defineConfig({
  plugins: [react()],
  // antd-mobile 5 declares React ≤ 18 as a peer, so npm puts a React 18 at the root; one React only.
  resolve: { dedupe: ["react", "react-dom"] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        portal: resolve(import.meta.dirname, "index.html"),
        kiosk: resolve(import.meta.dirname, "kiosk/index.html"),
        console: resolve(import.meta.dirname, "console/index.html"),
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      "/api": "http://localhost:8080",
      "/dev": "http://localhost:8080",
      "/docs": "http://localhost:8080",
    },
  },
});
